package browser

import (
	"context"
	"strconv"
	"strings"
	"unicode/utf8"
)

// keyDef is what Input.dispatchKeyEvent needs for one key (after Playwright's US layout).
type keyDef struct {
	key, code string
	keyCode   int
	text      string
	location  int
}

var namedKeys = map[string]keyDef{}

func init() {
	add := func(key, code string, kc int, text string) {
		namedKeys[key] = keyDef{key: key, code: code, keyCode: kc, text: text}
		if code != "" && code != key {
			if _, ok := namedKeys[code]; !ok {
				namedKeys[code] = keyDef{key: key, code: code, keyCode: kc, text: text}
			}
		}
	}
	add("Enter", "Enter", 13, "\r")
	add("Tab", "Tab", 9, "")
	add("Backspace", "Backspace", 8, "")
	add("Delete", "Delete", 46, "")
	add("Escape", "Escape", 27, "")
	add("ArrowUp", "ArrowUp", 38, "")
	add("ArrowDown", "ArrowDown", 40, "")
	add("ArrowLeft", "ArrowLeft", 37, "")
	add("ArrowRight", "ArrowRight", 39, "")
	add("Home", "Home", 36, "")
	add("End", "End", 35, "")
	add("PageUp", "PageUp", 33, "")
	add("PageDown", "PageDown", 34, "")
	add("Insert", "Insert", 45, "")
	add("CapsLock", "CapsLock", 20, "")
	add(" ", "Space", 32, " ")
	namedKeys["Space"] = keyDef{key: " ", code: "Space", keyCode: 32, text: " "}
	add("Shift", "ShiftLeft", 16, "")
	add("Control", "ControlLeft", 17, "")
	add("Alt", "AltLeft", 18, "")
	add("Meta", "MetaLeft", 91, "")
	for i := 1; i <= 12; i++ {
		n := "F" + strconv.Itoa(i)
		add(n, n, 111+i, "")
	}
	for c := 'a'; c <= 'z'; c++ {
		up := strings.ToUpper(string(c))
		namedKeys["Key"+up] = keyDef{key: string(c), code: "Key" + up, keyCode: int(c - 32), text: string(c)}
	}
	for c := '0'; c <= '9'; c++ {
		namedKeys["Digit"+string(c)] = keyDef{key: string(c), code: "Digit" + string(c), keyCode: int(c), text: string(c)}
	}
	punct := []struct {
		k, code string
		kc      int
	}{{"`", "Backquote", 192}, {"-", "Minus", 189}, {"=", "Equal", 187}, {"\\", "Backslash", 220},
		{"[", "BracketLeft", 219}, {"]", "BracketRight", 221}, {";", "Semicolon", 186}, {"'", "Quote", 222},
		{",", "Comma", 188}, {".", "Period", 190}, {"/", "Slash", 191}}
	for _, p := range punct {
		namedKeys[p.code] = keyDef{key: p.k, code: p.code, keyCode: p.kc, text: p.k}
	}
}

// lookupKey resolves a Playwright key name or a single character.
func lookupKey(k string) (keyDef, bool) {
	if k == "ControlOrMeta" {
		k = "Control"
	}
	if d, ok := namedKeys[k]; ok {
		return d, true
	}
	if utf8.RuneCountInString(k) == 1 {
		r, _ := utf8.DecodeRuneInString(k)
		d := keyDef{key: k, text: k}
		switch {
		case r >= 'a' && r <= 'z':
			d.code, d.keyCode = "Key"+strings.ToUpper(k), int(r-32)
		case r >= 'A' && r <= 'Z':
			d.code, d.keyCode = "Key"+k, int(r)
		case r >= '0' && r <= '9':
			d.code, d.keyCode = "Digit"+k, int(r)
		}
		return d, true
	}
	return keyDef{}, false
}

var modifierBits = map[string]int{"Alt": 1, "Control": 2, "ControlOrMeta": 2, "Meta": 4, "Shift": 8}

// keyEvent sends keyDown, keyUp, or both ("press") for one key with the given modifiers.
func keyEvent(ctx context.Context, p *page, k, typ string, mods int, api string) error {
	d, ok := lookupKey(k)
	if !ok {
		return aerr("Error: %s: Unknown key: %q", api, k)
	}
	text := d.text
	if mods&^8 != 0 { // with Control/Alt/Meta held, a key produces no text
		text = ""
	}
	down := map[string]any{"type": "keyDown", "key": d.key, "code": d.code, "windowsVirtualKeyCode": d.keyCode,
		"nativeVirtualKeyCode": d.keyCode, "modifiers": mods, "location": d.location}
	if text != "" {
		down["text"] = text
		down["unmodifiedText"] = text
	} else {
		down["type"] = "rawKeyDown"
	}
	up := map[string]any{"type": "keyUp", "key": d.key, "code": d.code, "windowsVirtualKeyCode": d.keyCode,
		"nativeVirtualKeyCode": d.keyCode, "modifiers": mods}
	if typ == "keyDown" || typ == "press" {
		if err := p.call(ctx, "Input.dispatchKeyEvent", down, nil); err != nil {
			return err
		}
	}
	if typ == "keyUp" || typ == "press" {
		return p.call(ctx, "Input.dispatchKeyEvent", up, nil)
	}
	return nil
}

// pressCombo presses "Control+Shift+t"-style combinations as Playwright's press does.
func pressCombo(ctx context.Context, p *page, combo, api string) error {
	var parts []string
	if combo == "+" {
		parts = []string{"+"}
	} else {
		parts = strings.Split(combo, "+")
		if strings.HasSuffix(combo, "++") { // "Shift++"
			parts = append(parts[:len(parts)-2], "+")
		}
	}
	for _, part := range parts {
		if part == "" {
			return aerr("Error: %s: Unknown key: %q", api, combo)
		}
	}
	key := parts[len(parts)-1]
	mods := 0
	for _, m := range parts[:len(parts)-1] {
		if _, ok := modifierBits[m]; !ok {
			if _, ok := lookupKey(m); !ok {
				return aerr("Error: %s: Unknown key: %q", api, m)
			}
		}
	}
	for _, m := range parts[:len(parts)-1] {
		if err := keyEvent(ctx, p, m, "keyDown", mods, api); err != nil {
			return err
		}
		mods |= modifierBits[m]
	}
	if err := keyEvent(ctx, p, key, "press", mods, api); err != nil {
		return err
	}
	for i := len(parts) - 2; i >= 0; i-- {
		mods &^= modifierBits[parts[i]]
		if err := keyEvent(ctx, p, parts[i], "keyUp", mods, api); err != nil {
			return err
		}
	}
	return nil
}

// typeText types each character: a key press where the US layout has the key, text
// insertion otherwise (as Playwright's keyboard.type).
func typeText(ctx context.Context, p *page, t string) error {
	for _, r := range t {
		s := string(r)
		if _, ok := lookupKey(s); ok && r < 0x80 {
			if err := keyEvent(ctx, p, s, "press", 0, "Keyboard.type"); err != nil {
				return err
			}
			continue
		}
		if err := p.call(ctx, "Input.insertText", map[string]any{"text": s}, nil); err != nil {
			return err
		}
	}
	return nil
}
