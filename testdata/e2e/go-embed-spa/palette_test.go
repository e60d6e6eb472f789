package main

import "testing"

func TestParseHex(t *testing.T) {
	for in, want := range map[string]string{"3366cc": "#3366cc", "#36C": "#3366cc", " ffffff ": "#ffffff"} {
		c, err := ParseHex(in)
		if err != nil || c.Hex() != want {
			t.Errorf("ParseHex(%q) = %v, %v; want %s", in, c.Hex(), err, want)
		}
	}
	for _, bad := range []string{"", "12345", "gggggg"} {
		if _, err := ParseHex(bad); err == nil {
			t.Errorf("ParseHex(%q): no error", bad)
		}
	}
}

func TestHSLRoundTrip(t *testing.T) {
	for _, hex := range []string{"#3366cc", "#ff0000", "#808080", "#123456", "#fedcba"} {
		c, _ := ParseHex(hex)
		if got := FromHSL(c.HSL()).Hex(); got != hex {
			t.Errorf("round trip %s -> %s", hex, got)
		}
	}
}

func TestContrast(t *testing.T) {
	if r := Contrast(black, white); r < 20.99 || r > 21.01 {
		t.Errorf("black/white contrast %v, want 21", r)
	}
	p := Palette(RGB{0x33, 0x66, 0xcc})
	if p[1].Hex != "#cc9933" {
		t.Errorf("complement of #3366cc = %s, want #cc9933", p[1].Hex)
	}
}
