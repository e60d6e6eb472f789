// notes is a tiny in-memory note service: POST /notes stores a note, GET /notes/{id} reads it.
// `notes -selftest` runs a few requests against an in-process server and prints the answers.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
)

type store struct {
	mu    sync.Mutex
	notes []string
}

func (s *store) routes() http.Handler {
	r := chi.NewRouter()
	r.Use(middleware.Recoverer)
	r.Get("/healthz", func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ok\n") })
	r.Post("/notes", func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<16))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		s.mu.Lock()
		s.notes = append(s.notes, strings.TrimSpace(string(body)))
		id := len(s.notes)
		s.mu.Unlock()
		w.WriteHeader(http.StatusCreated)
		json.NewEncoder(w).Encode(map[string]int{"id": id})
	})
	r.Get("/notes/{id}", func(w http.ResponseWriter, r *http.Request) {
		id, err := strconv.Atoi(chi.URLParam(r, "id"))
		s.mu.Lock()
		defer s.mu.Unlock()
		if err != nil || id < 1 || id > len(s.notes) {
			http.NotFound(w, r)
			return
		}
		json.NewEncoder(w).Encode(map[string]any{"id": id, "text": s.notes[id-1]})
	})
	return r
}

func selftest() error {
	srv := httptest.NewServer((&store{}).routes())
	defer srv.Close()
	show := func(resp *http.Response, err error) error {
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		fmt.Printf("%s %s -> %d %s", resp.Request.Method, resp.Request.URL.Path, resp.StatusCode, b)
		return err
	}
	if err := show(http.Get(srv.URL + "/healthz")); err != nil {
		return err
	}
	if err := show(http.Post(srv.URL+"/notes", "text/plain", strings.NewReader("buy milk"))); err != nil {
		return err
	}
	return show(http.Get(srv.URL + "/notes/1"))
}

func main() {
	addr := flag.String("addr", ":8080", "listen address")
	test := flag.Bool("selftest", false, "serve a few requests in-process, print them and exit")
	flag.Parse()
	if *test {
		if err := selftest(); err != nil {
			fmt.Fprintln(os.Stderr, "selftest:", err)
			os.Exit(1)
		}
		return
	}
	log.Printf("notes listening on %s", *addr)
	log.Fatal(http.ListenAndServe(*addr, (&store{}).routes()))
}
