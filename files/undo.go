package files

// undo restores the newest history entry of the file (undo itself is not recorded).
func (e *Editor) undo(p string) (EditResult, error) {
	if err := e.validateFile(p); err != nil {
		return EditResult{}, err
	}
	h, current, enc, err := e.openText(p)
	if err != nil {
		return EditResult{}, err
	}
	if h != nil {
		defer h.close()
	}
	old, ok, err := e.history.pop(p)
	if err != nil {
		return EditResult{}, err
	}
	if !ok {
		return EditResult{}, toolErr("No edit history found for %s.", p)
	}
	if err := e.writeText(h, p, old, enc); err != nil {
		return EditResult{}, err
	}
	out := "Last edit to " + p + " undone successfully. " + catN(old, p, 1)
	return EditResult{Output: out, Path: p, PrevExist: true, OldContent: strPtr(current), NewContent: strPtr(old)}, nil
}
