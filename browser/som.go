package browser

import (
	"bytes"
	"encoding/base64"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"
	"sort"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

// setOfMarks draws BrowserGym's set-of-marks overlay on the screenshot: a dashed box around
// every element flagged for it, with its bid on a black tag at the upper left. Returns a
// PNG data URL ("" when the screenshot cannot be decoded).
func setOfMarks(shot []byte, props extraProps) string {
	src, err := png.Decode(bytes.NewReader(shot))
	if err != nil {
		return ""
	}
	img := image.NewRGBA(src.Bounds())
	draw.Draw(img, img.Bounds(), src, image.Point{}, draw.Src)
	bids := make([]string, 0, len(props))
	for b := range props {
		bids = append(bids, b)
	}
	sort.Strings(bids)
	black := color.RGBA{0, 0, 0, 255}
	white := color.RGBA{255, 255, 255, 255}
	face := basicfont.Face7x13
	for _, bid := range bids {
		pr := props[bid]
		if !pr.SetOfMarks || len(pr.BBox) < 4 {
			continue
		}
		x, y, w, h := pr.BBox[0], pr.BBox[1], pr.BBox[2], pr.BBox[3]
		if w*h < 20 {
			continue
		}
		x1, y1 := x+w, y+h
		dashed(img, x, y, x1, y, black)
		dashed(img, x1, y, x1, y1, black)
		dashed(img, x1, y1, x, y1, black)
		dashed(img, x, y1, x, y, black)
		tw := font.MeasureString(face, bid).Ceil()
		tagW, tagH := tw+6, 13+6
		tx, ty := int(math.Round(x)), int(math.Round(y-float64(tagH)/2+4))
		tag := image.Rect(tx, ty, tx+tagW, ty+tagH)
		draw.Draw(img, tag, image.NewUniform(black), image.Point{}, draw.Src)
		for i := tag.Min.X; i < tag.Max.X; i++ {
			img.Set(i, tag.Min.Y, white)
			img.Set(i, tag.Max.Y-1, white)
		}
		for j := tag.Min.Y; j < tag.Max.Y; j++ {
			img.Set(tag.Min.X, j, white)
			img.Set(tag.Max.X-1, j, white)
		}
		d := font.Drawer{Dst: img, Src: image.NewUniform(white), Face: face,
			Dot: fixed.P(tx+3, ty+3+face.Ascent)}
		d.DrawString(bid)
	}
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(&buf, img); err != nil {
		return ""
	}
	return "data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes())
}

// dashed draws a 2-pixel line with 4-pixel dashes and 8-pixel gaps.
func dashed(img *image.RGBA, x0, y0, x1, y1 float64, c color.RGBA) {
	dx, dy := x1-x0, y1-y0
	l := math.Hypot(dx, dy)
	if l == 0 || l > 1e5 {
		return
	}
	ux, uy := dx/l, dy/l
	for s := 0.0; s < l; s += 12 {
		e := math.Min(s+4, l)
		for t := s; t <= e; t += 0.5 {
			px, py := int(math.Round(x0+ux*t)), int(math.Round(y0+uy*t))
			for k := 0; k < 2; k++ {
				if uy == 0 {
					img.Set(px, py+k, c)
				} else {
					img.Set(px+k, py, c)
				}
			}
		}
	}
}
