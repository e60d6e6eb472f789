package main

import (
	"errors"
	"fmt"
	"math"
	"strings"
)

// RGB is a colour with 8-bit channels.
type RGB struct{ R, G, B uint8 }

// ParseHex accepts "3366cc", "#3366cc" or the short form "36c".
func ParseHex(s string) (RGB, error) {
	s = strings.TrimPrefix(strings.TrimSpace(s), "#")
	if len(s) == 3 {
		s = string([]byte{s[0], s[0], s[1], s[1], s[2], s[2]})
	}
	if len(s) != 6 {
		return RGB{}, errors.New("colour must have 3 or 6 hex digits")
	}
	var c RGB
	if _, err := fmt.Sscanf(strings.ToLower(s), "%02x%02x%02x", &c.R, &c.G, &c.B); err != nil {
		return RGB{}, fmt.Errorf("not a hex colour: %q", s)
	}
	return c, nil
}

func (c RGB) Hex() string { return fmt.Sprintf("#%02x%02x%02x", c.R, c.G, c.B) }

// HSL converts to hue (degrees), saturation and lightness (0..1).
func (c RGB) HSL() (h, s, l float64) {
	r, g, b := float64(c.R)/255, float64(c.G)/255, float64(c.B)/255
	max, min := math.Max(r, math.Max(g, b)), math.Min(r, math.Min(g, b))
	l = (max + min) / 2
	if max == min {
		return 0, 0, l
	}
	d := max - min
	if l > 0.5 {
		s = d / (2 - max - min)
	} else {
		s = d / (max + min)
	}
	switch max {
	case r:
		h = (g - b) / d
		if g < b {
			h += 6
		}
	case g:
		h = (b-r)/d + 2
	default:
		h = (r-g)/d + 4
	}
	return h * 60, s, l
}

func hueToRGB(p, q, t float64) float64 {
	if t < 0 {
		t++
	}
	if t > 1 {
		t--
	}
	switch {
	case t < 1.0/6:
		return p + (q-p)*6*t
	case t < 0.5:
		return q
	case t < 2.0/3:
		return p + (q-p)*(2.0/3-t)*6
	}
	return p
}

// FromHSL is the inverse of HSL.
func FromHSL(h, s, l float64) RGB {
	h = math.Mod(math.Mod(h, 360)+360, 360) / 360
	if s == 0 {
		v := uint8(math.Round(l * 255))
		return RGB{v, v, v}
	}
	var q float64
	if l < 0.5 {
		q = l * (1 + s)
	} else {
		q = l + s - l*s
	}
	p := 2*l - q
	conv := func(t float64) uint8 { return uint8(math.Round(hueToRGB(p, q, t) * 255)) }
	return RGB{conv(h + 1.0/3), conv(h), conv(h - 1.0/3)}
}

// Luminance is the WCAG relative luminance.
func (c RGB) Luminance() float64 {
	lin := func(v uint8) float64 {
		x := float64(v) / 255
		if x <= 0.03928 {
			return x / 12.92
		}
		return math.Pow((x+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(c.R) + 0.7152*lin(c.G) + 0.0722*lin(c.B)
}

// Contrast is the WCAG contrast ratio between two colours.
func Contrast(a, b RGB) float64 {
	la, lb := a.Luminance(), b.Luminance()
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

// Swatch is one colour of a palette, with the text colour that reads best on it.
type Swatch struct {
	Role     string  `json:"role"`
	Hex      string  `json:"hex"`
	Text     string  `json:"text"`
	Contrast float64 `json:"contrast"`
}

var black, white = RGB{0, 0, 0}, RGB{255, 255, 255}

func swatch(role string, c RGB) Swatch {
	text, ratio := black, Contrast(c, black)
	if w := Contrast(c, white); w > ratio {
		text, ratio = white, w
	}
	return Swatch{Role: role, Hex: c.Hex(), Text: text.Hex(), Contrast: math.Round(ratio*100) / 100}
}

// Palette builds a small scheme around base.
func Palette(base RGB) []Swatch {
	h, s, l := base.HSL()
	return []Swatch{
		swatch("base", base),
		swatch("complement", FromHSL(h+180, s, l)),
		swatch("analogous-", FromHSL(h-30, s, l)),
		swatch("analogous+", FromHSL(h+30, s, l)),
		swatch("triad-1", FromHSL(h+120, s, l)),
		swatch("triad-2", FromHSL(h+240, s, l)),
		swatch("tint", FromHSL(h, s, math.Min(1, l+0.25))),
		swatch("shade", FromHSL(h, s, math.Max(0, l-0.25))),
	}
}
