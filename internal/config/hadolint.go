package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/dockmend/dockmend/internal/regfile"
	"github.com/dockmend/dockmend/internal/severity"
)

// HadolintFileNames are the names of hadolint's configuration file, in the
// order hadolint prefers them: the first one a directory holds is read.
var HadolintFileNames = []string{".hadolint.yaml", ".hadolint.yml"}

// hadolintFile is the part of hadolint's configuration file that means
// something to dockmend. Its other keys (format, no-color, label-schema,
// strict-labels, disable-ignore-pragma, ...) configure checks or output
// dockmend does not have, and are left alone, as are keys hadolint may add
// later. The schema is in hadolint's README, "Configure".
type hadolintFile struct {
	FailureThreshold string           `yaml:"failure-threshold"`
	Ignored          []string         `yaml:"ignored"`
	NoFail           bool             `yaml:"no-fail"`
	Override         hadolintOverride `yaml:"override"`
	// TrustedRegistries is a registry or a list of them.
	TrustedRegistries stringList `yaml:"trustedRegistries"`
}

type hadolintOverride struct {
	Error   []string `yaml:"error"`
	Warning []string `yaml:"warning"`
	Info    []string `yaml:"info"`
	Style   []string `yaml:"style"`
}

// stringList is a YAML string or a list of strings.
type stringList []string

func (l *stringList) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		*l = []string{n.Value}
		return nil
	}
	var list []string
	if err := n.Decode(&list); err != nil {
		return err
	}
	*l = list
	return nil
}

// LoadHadolint reads hadolint's configuration file at path (a regular
// file of at most MaxSize bytes) as a dockmend configuration.
func LoadHadolint(path string) (*Config, error) {
	data, err := regfile.Read(path, MaxSize)
	if err != nil {
		return nil, err // names path
	}
	return ParseHadolint(path, data)
}

// ParseHadolint parses data, the content of hadolint's configuration file
// at path, into the dockmend configuration it amounts to:
//
//	ignored: [DL3008, DL3015]      ignore: the checks (any hadolint check may be named)
//	failure-threshold: warning     failure-threshold (ignore is none)
//	no-fail: true                  failure-threshold: none
//	override: {info: [DL3042]}     levels: {DL3042: info}
//	trustedRegistries: [docker.io] trusted-registries
//
// Errors name the file and, when known, the line.
func ParseHadolint(path string, data []byte) (*Config, error) {
	c := &Config{Path: path, Dir: filepath.Dir(path), Hadolint: true}
	var h hadolintFile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&h); err != nil && err != io.EOF {
		return nil, yamlError(path, err)
	}
	var node yaml.Node
	if err := yaml.Unmarshal(data, &node); err != nil {
		return nil, yamlError(path, err)
	}
	c.lines = keyLines(&node)
	// Errors about a key name the key as the file spells it.
	at := func(key string) string {
		if l := c.lines[key]; l > 0 {
			return fmt.Sprintf("%s:%d: %s", path, l, key)
		}
		return path + ": " + key
	}
	var errs []error
	for _, id := range h.Ignored {
		if id = strings.TrimSpace(id); id != "" {
			c.Ignore = append(c.Ignore, id)
		}
	}
	if h.FailureThreshold != "" {
		l, err := severity.Parse(h.FailureThreshold)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", at("failure-threshold"), err))
		} else {
			c.FailureThreshold = &l
		}
	}
	if h.NoFail {
		none := severity.None
		c.FailureThreshold = &none
	}
	for _, o := range []struct {
		level severity.Level
		ids   []string
	}{{severity.Style, h.Override.Style}, {severity.Info, h.Override.Info}, {severity.Warning, h.Override.Warning}, {severity.Error, h.Override.Error}} {
		for _, id := range o.ids {
			if id = strings.TrimSpace(id); id == "" {
				continue
			}
			if c.Levels == nil {
				c.Levels = map[string]severity.Level{}
			}
			c.Levels[id] = o.level
		}
	}
	c.TrustedRegistries = h.TrustedRegistries
	c.lines["ignore"], c.lines["levels"], c.lines["trusted-registries"] = c.lines["ignored"], c.lines["override"], c.lines["trustedRegistries"]
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if err := c.validate(); err != nil {
		return nil, err
	}
	return c, nil
}
