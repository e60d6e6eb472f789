package imagediff

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// accountFile reports whether p is a file of users or groups, compared
// entry by entry.
func accountFile(p string) bool { return p == "/etc/passwd" || p == "/etc/group" }

// compareAccounts compares /etc/passwd or /etc/group by entry: a user or
// group of the old image must exist in the new one with the same id,
// group, home and shell.
func (c *Comparison) compareAccounts(p string, of, nf *File, dropped []string) {
	kind := "user"
	if p == "/etc/group" {
		kind = "group"
	}
	oldEntries, newEntries := accounts(of.text), accounts(nf.text)
	for _, name := range slices.Sorted(maps.Keys(oldEntries)) {
		oe := oldEntries[name]
		ne, ok := newEntries[name]
		d := Difference{Kind: KindAccount, Subject: kind + " " + name}
		switch {
		case !ok:
			d.Before, d.After = oe.describe(kind), "missing"
		case kind == "user" && (oe.id != ne.id || oe.fields[3] != ne.fields[3] || oe.fields[5] != ne.fields[5] || oe.fields[6] != ne.fields[6]):
			d.Before, d.After = oe.describe(kind), ne.describe(kind)
		case kind == "group" && oe.id != ne.id:
			d.Before, d.After = oe.describe(kind), ne.describe(kind)
		default:
			continue
		}
		if !ok && oe.system() && len(dropped) > 0 {
			d.Expected = "a system " + kind + " that a package's scripts most likely made; the rewritten image does not install " + strings.Join(dropped, ", ")
		}
		if ok && oe.system() && ne.system() && oe.fields[5] == ne.fields[5] && oe.fields[6] == ne.fields[6] {
			if gone := goneBelow(oldEntries, newEntries, oe.id); len(gone) > 0 {
				d.Expected = "a system " + kind + "'s id, which adduser --system takes from the free range: the rewritten image lacks " +
					strings.Join(gone, ", ") + ", made before it with a lower id"
			}
		}
		c.add(d)
	}
}

// goneBelow returns the names of the system accounts of old, with an id
// below id, that new lacks, sorted: when new lacks them, the accounts made
// after them get other ids.
func goneBelow(old, new map[string]account, id int) []string {
	var out []string
	for name, a := range old {
		if _, ok := new[name]; !ok && a.system() && a.id < id {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

type account struct {
	id     int
	fields []string
}

func (a account) system() bool { return a.id > 0 && a.id < 1000 }

func (a account) describe(kind string) string {
	if kind == "user" {
		return fmt.Sprintf("uid %s gid %s home %s shell %s", a.fields[2], a.fields[3], a.fields[5], a.fields[6])
	}
	return "gid " + a.fields[2]
}

// accounts parses passwd or group lines into entries by name; a passwd
// entry has 7 fields, a group entry 4 (padded to 7).
func accounts(data []byte) map[string]account {
	m := map[string]account{}
	eachLine(data, func(line string) {
		f := strings.Split(line, ":")
		if len(f) < 3 || f[0] == "" || strings.HasPrefix(f[0], "#") {
			return
		}
		for len(f) < 7 {
			f = append(f, "")
		}
		id, err := strconv.Atoi(f[2])
		if err != nil {
			id = -1
		}
		m[f[0]] = account{id: id, fields: f}
	})
	return m
}
