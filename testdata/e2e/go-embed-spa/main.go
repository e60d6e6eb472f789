// palette serves a small single-page app that builds colour schemes.
// The page and its bundled assets are embedded from web/dist (npm run build).
package main

import (
	"embed"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log"
	"net"
	"net/http"
	"os"
	"path"
	"regexp"
	"strings"
	"time"
)

const version = "0.3.1"

//go:embed web/dist
var dist embed.FS

func newMux() (*http.ServeMux, error) {
	site, err := fs.Sub(dist, "web/dist")
	if err != nil {
		return nil, err
	}
	index, err := fs.ReadFile(site, "index.html")
	if err != nil {
		return nil, fmt.Errorf("frontend not built: %w", err)
	}
	files := http.FileServer(http.FS(site))

	mux := http.NewServeMux()
	mux.HandleFunc("/api/palette", handlePalette)
	mux.HandleFunc("/api/version", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"name": "palette", "version": version})
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		p := strings.TrimPrefix(path.Clean(r.URL.Path), "/")
		if strings.HasPrefix(p, "assets/") {
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
			files.ServeHTTP(w, r)
			return
		}
		if p != "" && p != "index.html" {
			if _, err := fs.Stat(site, p); err == nil {
				files.ServeHTTP(w, r)
				return
			}
		}
		// client-side routes all get the app shell
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-cache")
		w.Write(index)
	})
	return mux, nil
}

func writeJSON(w http.ResponseWriter, status int, v interface{}) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func handlePalette(w http.ResponseWriter, r *http.Request) {
	base := r.URL.Query().Get("base")
	if base == "" {
		base = "3366cc"
	}
	c, err := ParseHex(base)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, map[string]interface{}{"base": c.Hex(), "swatches": Palette(c)})
}

func main() {
	addr := flag.String("addr", ":8080", "listen address")
	selftest := flag.Bool("selftest", false, "start on a loopback port, request the page, its assets and the API, then exit")
	flag.Parse()

	mux, err := newMux()
	if err != nil {
		log.Fatal(err)
	}
	if *selftest {
		if err := runSelftest(mux); err != nil {
			fmt.Println("selftest FAILED:", err)
			os.Exit(1)
		}
		fmt.Println("selftest ok")
		return
	}
	srv := &http.Server{Addr: *addr, Handler: logRequests(mux), ReadHeaderTimeout: 5 * time.Second}
	log.Printf("palette %s listening on %s", version, *addr)
	log.Fatal(srv.ListenAndServe())
}

func logRequests(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		h.ServeHTTP(w, r)
		log.Printf("%s %s %s", r.Method, r.URL.Path, time.Since(start).Round(time.Microsecond))
	})
}

var (
	titleRe  = regexp.MustCompile(`<title>([^<]*)</title>`)
	scriptRe = regexp.MustCompile(`<script[^>]+src="([^"]+)"`)
	styleRe  = regexp.MustCompile(`<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"`)
)

func runSelftest(mux http.Handler) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	defer ln.Close()
	go http.Serve(ln, mux)
	base := "http://" + ln.Addr().String()
	fmt.Printf("palette %s selftest\n", version)

	get := func(p string) (*http.Response, string, error) {
		client := &http.Client{Timeout: 5 * time.Second}
		resp, err := client.Get(base + p)
		if err != nil {
			return nil, "", err
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		return resp, string(body), err
	}

	resp, page, err := get("/")
	if err != nil {
		return err
	}
	title, script, style := titleRe.FindStringSubmatch(page), scriptRe.FindStringSubmatch(page), styleRe.FindStringSubmatch(page)
	if resp.StatusCode != 200 || title == nil || script == nil || style == nil {
		return fmt.Errorf("GET / -> %d, page without title, script or stylesheet", resp.StatusCode)
	}
	fmt.Printf("GET / -> %d %s title=%q\n", resp.StatusCode, resp.Header.Get("Content-Type"), title[1])

	resp, js, err := get(script[1])
	if err != nil {
		return err
	}
	fmt.Printf("GET <script> -> %d cache=%q bundle-has-api-client=%v single-file=%v\n", resp.StatusCode,
		resp.Header.Get("Cache-Control"), strings.Contains(js, "/api/palette?base="), !strings.Contains(js, "import "))
	if resp.StatusCode != 200 {
		return errors.New("script not served")
	}

	resp, css, err := get(style[1])
	if err != nil {
		return err
	}
	fmt.Printf("GET <stylesheet> -> %d has-swatch-rule=%v\n", resp.StatusCode, strings.Contains(css, ".swatch"))
	if resp.StatusCode != 200 {
		return errors.New("stylesheet not served")
	}

	resp, shell, err := get("/schemes/saved")
	if err != nil {
		return err
	}
	fmt.Printf("GET /schemes/saved -> %d app-shell=%v\n", resp.StatusCode, shell == page)

	resp, body, err := get("/api/palette?base=%2336c")
	if err != nil {
		return err
	}
	var pal struct {
		Base     string   `json:"base"`
		Swatches []Swatch `json:"swatches"`
	}
	if err := json.Unmarshal([]byte(body), &pal); err != nil {
		return fmt.Errorf("palette JSON: %w", err)
	}
	fmt.Printf("GET /api/palette?base=#36c -> %d base=%s\n", resp.StatusCode, pal.Base)
	for _, s := range pal.Swatches {
		fmt.Printf("  %-11s %s text %s contrast %.2f\n", s.Role, s.Hex, s.Text, s.Contrast)
	}

	resp, body, err = get("/api/palette?base=banana")
	if err != nil {
		return err
	}
	fmt.Printf("GET /api/palette?base=banana -> %d %s", resp.StatusCode, body)
	if resp.StatusCode != 400 {
		return errors.New("bad colour accepted")
	}
	return nil
}
