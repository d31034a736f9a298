package files

import "errors"

// convertToMarkdown renders the supported binary formats as Markdown (ACI's
// MarkdownConverter). See markdown_*.go.
func convertToMarkdown(p string) (string, error) {
	return "", errors.New("not supported")
}
