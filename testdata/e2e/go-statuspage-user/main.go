// statuspage serves a small HTML status page for a list of components read from a YAML file.
package main

import (
	"bytes"
	"fmt"
	"html/template"
	"log"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"time"

	flag "github.com/spf13/pflag"
	"gopkg.in/yaml.v3"
)

var version = "dev"

// Config is the YAML configuration.
type Config struct {
	Title      string      `yaml:"title"`
	Listen     string      `yaml:"listen"`
	Components []Component `yaml:"components"`
}

// Component is one line of the page.
type Component struct {
	Name   string `yaml:"name"`
	Status string `yaml:"status"`
	Note   string `yaml:"note"`
}

func loadConfig(path string) (*Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var c Config
	if err := yaml.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	sort.SliceStable(c.Components, func(i, j int) bool { return c.Components[i].Name < c.Components[j].Name })
	return &c, nil
}

func main() {
	cfgPath := flag.StringP("config", "c", "/etc/statuspage/config.yaml", "configuration file")
	tmplDir := flag.String("templates", "/usr/share/statuspage/templates", "template folder")
	render := flag.Bool("render", false, "print the page to stdout and exit")
	health := flag.Bool("healthcheck", false, "probe a running server and exit")
	showVersion := flag.BoolP("version", "V", false, "print the version")
	flag.Parse()

	if *showVersion {
		fmt.Println("statuspage", version)
		return
	}
	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		log.Fatal(err)
	}
	if *health {
		c := http.Client{Timeout: 2 * time.Second}
		resp, err := c.Get("http://" + cfg.Listen + "/healthz")
		if err != nil || resp.StatusCode != http.StatusOK {
			fmt.Println("unhealthy")
			os.Exit(1)
		}
		fmt.Println("healthy")
		return
	}
	tmpl, err := template.ParseGlob(filepath.Join(*tmplDir, "*.html"))
	if err != nil {
		log.Fatal(err)
	}
	page := func() ([]byte, error) {
		var buf bytes.Buffer
		err := tmpl.ExecuteTemplate(&buf, "page.html", map[string]any{
			"Config": cfg, "Version": version, "User": os.Getenv("USER"), "UID": os.Getuid(),
		})
		return buf.Bytes(), err
	}
	if *render {
		b, err := page()
		if err != nil {
			log.Fatal(err)
		}
		os.Stdout.Write(b)
		return
	}

	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "ok") })
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		b, err := page()
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(b)
	})
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("statuspage %s listening on %s", version, ln.Addr())
	log.Fatal(http.Serve(ln, mux))
}
