// HTTP mode: `interop http` checks a running Jejak server the way an outside tlog client would,
// trusting nothing but the key it is given and what golang.org/x/mod/sumdb/{note,tlog} accept.
//
// Stdin: {"base": "http://127.0.0.1:PORT", "vkey": "...", "records": [i, ...], "old_sizes": [n, ...]}.
// It fetches GET /log/checkpoint and opens it with the vkey (and checks that GET /log/key serves
// that same key), then builds a tlog.TileHashReader over GET /log/tile/... — x/mod checks every
// fetched tile against the signed root — and for each record fetches the entry bundle, hashes the
// leaf, proves it with tlog.ProveRecord and checks it with tlog.CheckRecord, and compares the
// server's JSON inclusion proof with Go's. Each old size gets tlog.ProveTree / CheckTree and the
// same comparison with the JSON consistency proof. Stdout: one JSON document of verdicts.
package main

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

type httpReq struct {
	Base     string  `json:"base"`
	Vkey     string  `json:"vkey"`
	Records  []int64 `json:"records"`
	OldSizes []int64 `json:"old_sizes"`
}

type httpResp struct {
	Origin      string    `json:"origin"`
	Size        int64     `json:"size"`
	Root        string    `json:"root"`
	Records     []verdict `json:"records"`
	Consistency []verdict `json:"consistency"`
	Fetched     []string  `json:"fetched"` // every path requested, in order
}

type server struct {
	base    string
	client  *http.Client
	fetched []string
}

func (s *server) get(path string) ([]byte, error) {
	s.fetched = append(s.fetched, path)
	resp, err := s.client.Get(s.base + path)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<24))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", path, resp.Status)
	}
	return body, nil
}

// c2spPath maps an x/mod tile to its C2SP tlog-tiles path. x/mod writes the sumdb form
// tile/<H>/<L>/<N>[.p/<W>] with L "data" for entry bundles; C2SP drops the height (fixed at 8)
// and says "entries". The <N>[.p/<W>] part is x/mod's own encoding, sent unchanged.
func c2spPath(t tlog.Tile) string {
	rest := strings.TrimPrefix(t.Path(), fmt.Sprintf("tile/%d/", t.H))
	if strings.HasPrefix(rest, "data/") {
		return "/log/tile/entries/" + strings.TrimPrefix(rest, "data/")
	}
	return "/log/tile/" + rest
}

// httpTiles is a tlog.TileReader over the server's tile endpoints.
type httpTiles struct{ s *server }

func (httpTiles) Height() int { return 8 }

func (r httpTiles) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	out := make([][]byte, len(tiles))
	for i, t := range tiles {
		data, err := r.s.get(c2spPath(t))
		if err != nil {
			return nil, err
		}
		out[i] = data
	}
	return out, nil
}

func (httpTiles) SaveTiles([]tlog.Tile, [][]byte) {}

// entry fetches the bundle holding record n of the tree and returns that record's bytes.
func (s *server) entry(tree tlog.Tree, n int64) ([]byte, error) {
	first := n / 256 * 256
	width := tree.N - first
	if width > 256 {
		width = 256
	}
	bundle, err := s.get(c2spPath(tlog.Tile{H: 8, L: -1, N: n / 256, W: int(width)}))
	if err != nil {
		return nil, err
	}
	var entries [][]byte
	for len(bundle) > 0 {
		if len(bundle) < 2 || len(bundle) < 2+int(binary.BigEndian.Uint16(bundle)) {
			return nil, errors.New("entry bundle truncated")
		}
		size := int(binary.BigEndian.Uint16(bundle))
		entries = append(entries, bundle[2:2+size])
		bundle = bundle[2+size:]
	}
	if int64(len(entries)) != width {
		return nil, fmt.Errorf("entry bundle has %d entries, expected %d", len(entries), width)
	}
	return entries[n-first], nil
}

// jsonProof fetches a JSON proof and returns its "proof" hashes.
func (s *server) jsonProof(path string) ([]tlog.Hash, error) {
	body, err := s.get(path)
	if err != nil {
		return nil, err
	}
	var doc struct {
		Proof []string `json:"proof"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, err
	}
	return decodeHashes(doc.Proof)
}

func sameHashes(a, b []tlog.Hash) error {
	if len(a) != len(b) {
		return fmt.Errorf("server proof has %d hashes, Go's has %d", len(a), len(b))
	}
	for i := range a {
		if a[i] != b[i] {
			return fmt.Errorf("server proof differs from Go's at hash %d", i)
		}
	}
	return nil
}

func checkRecordHTTP(s *server, tree tlog.Tree, hr tlog.HashReader, n int64) verdict {
	leaf, err := s.entry(tree, n)
	if err != nil {
		return fail(err)
	}
	proof, err := tlog.ProveRecord(tree.N, n, hr)
	if err != nil {
		return fail(err)
	}
	if err := tlog.CheckRecord(proof, tree.N, tree.Hash, n, tlog.RecordHash(leaf)); err != nil {
		return fail(err)
	}
	served, err := s.jsonProof(fmt.Sprintf("/api/v1/log/proof/inclusion?index=%d&size=%d", n, tree.N))
	if err != nil {
		return fail(err)
	}
	if err := sameHashes(served, proof); err != nil {
		return fail(err)
	}
	return verdict{OK: true}
}

func checkTreeHTTP(s *server, tree tlog.Tree, hr tlog.HashReader, old int64) verdict {
	oldHash, err := tlog.TreeHash(old, hr)
	if err != nil {
		return fail(err)
	}
	proof, err := tlog.ProveTree(tree.N, old, hr)
	if err != nil {
		return fail(err)
	}
	if err := tlog.CheckTree(proof, tree.N, tree.Hash, old, oldHash); err != nil {
		return fail(err)
	}
	served, err := s.jsonProof(fmt.Sprintf("/api/v1/log/proof/consistency?from=%d&to=%d", old, tree.N))
	if err != nil {
		return fail(err)
	}
	if err := sameHashes(served, proof); err != nil {
		return fail(err)
	}
	return verdict{OK: true}
}

// runHTTP returns the response, or an error when the log as a whole cannot be trusted (bad key,
// checkpoint or tiles): then no per-record verdict would mean anything.
func runHTTP(req httpReq) (*httpResp, error) {
	s := &server{base: strings.TrimSuffix(req.Base, "/"), client: &http.Client{Timeout: 30 * time.Second}}
	v, err := note.NewVerifier(req.Vkey)
	if err != nil {
		return nil, fmt.Errorf("bad vkey: %v", err)
	}
	served, err := s.get("/log/key")
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(string(served)) != req.Vkey {
		return nil, errors.New("GET /log/key is not the trusted vkey")
	}
	msg, err := s.get("/log/checkpoint")
	if err != nil {
		return nil, err
	}
	n, err := note.Open(msg, note.VerifierList(v))
	if err != nil {
		return nil, fmt.Errorf("checkpoint: %v", err)
	}
	origin, size, root, err := parseCheckpoint(n.Text)
	if err != nil {
		return nil, fmt.Errorf("checkpoint: %v", err)
	}
	if origin != v.Name() {
		return nil, fmt.Errorf("checkpoint origin %q is not the key name %q", origin, v.Name())
	}
	tree := tlog.Tree{N: size, Hash: root}
	hr := tlog.TileHashReader(tree, httpTiles{s})
	got, err := tlog.TreeHash(size, hr)
	if err != nil {
		return nil, fmt.Errorf("tree hash from tiles: %v", err)
	}
	if got != root {
		return nil, errors.New("tree hash from tiles differs from the checkpoint")
	}
	resp := &httpResp{
		Origin: origin, Size: size, Root: base64.StdEncoding.EncodeToString(root[:]),
		Records: []verdict{}, Consistency: []verdict{},
	}
	for _, rec := range req.Records {
		resp.Records = append(resp.Records, checkRecordHTTP(s, tree, hr, rec))
	}
	for _, old := range req.OldSizes {
		resp.Consistency = append(resp.Consistency, checkTreeHTTP(s, tree, hr, old))
	}
	resp.Fetched = s.fetched
	return resp, nil
}

// mainHTTP is main for `interop http`: exit 1 (message on stderr) when the log cannot be trusted.
func mainHTTP(stdin io.Reader, stdout io.Writer) int {
	var req httpReq
	dec := json.NewDecoder(stdin)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		fmt.Fprintln(os.Stderr, "bad request:", err)
		return 2
	}
	resp, err := runHTTP(req)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if err := json.NewEncoder(stdout).Encode(resp); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	return 0
}
