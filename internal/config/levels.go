package config

import (
	"errors"
	"fmt"

	"go.yaml.in/yaml/v3"

	"github.com/dockmend/dockmend/internal/severity"
)

// Threshold returns FailureThreshold, or def when it is unset.
func (c *Config) Threshold(def severity.Level) severity.Level {
	if c.FailureThreshold == nil {
		return def
	}
	return *c.FailureThreshold
}

// checkLevels checks the levels of the keys levels and failure-threshold
// before the file is decoded, so that a wrong one is reported with its
// line (a decoding error of severity.Level has none).
func checkLevels(path string, data []byte) error {
	var doc yaml.Node
	if yaml.Unmarshal(data, &doc) != nil || doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil // the decoder says what is wrong
	}
	var errs []error
	check := func(n *yaml.Node) {
		if n.Kind != yaml.ScalarNode {
			return
		}
		if _, err := severity.Parse(n.Value); err != nil {
			errs = append(errs, fmt.Errorf("%s:%d: %w", path, n.Line, err))
		}
	}
	m := doc.Content[0].Content
	for i := 0; i+1 < len(m); i += 2 {
		switch k, v := m[i].Value, m[i+1]; {
		case k == "failure-threshold":
			check(v)
		case k == "levels" && v.Kind == yaml.MappingNode:
			for j := 1; j < len(v.Content); j += 2 {
				check(v.Content[j])
			}
		}
	}
	return errors.Join(errs...)
}

// spelling returns key as the configuration file spells it: hadolint's
// file names some keys otherwise.
func (c *Config) spelling(key string) string {
	if !c.Hadolint {
		return key
	}
	switch key {
	case "ignore":
		return "ignored"
	case "levels":
		return "override"
	case "trusted-registries":
		return "trustedRegistries"
	}
	return key
}
