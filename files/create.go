package files

import "strconv"

// create writes a new file (the parent must exist; nothing is overwritten) and records
// the new text in the undo history, as ACI does.
func (e *Editor) create(p, text string) (EditResult, error) {
	if err := e.writeText(nil, p, text, encodingUTF8); err != nil {
		return EditResult{}, err
	}
	if err := e.history.add(p, text); err != nil {
		return EditResult{}, err
	}
	return EditResult{Output: "File created successfully at: " + p, Path: p, PrevExist: false, NewContent: strPtr(text)}, nil
}

func itoa(n int) string { return strconv.Itoa(n) }
