// Command interop checks Jejak's log artefacts with the Go reference implementation
// (golang.org/x/mod/sumdb/note and sumdb/tlog), independently of our Python code.
//
// It reads one JSON document on stdin (see request below), checks every item, and writes one
// JSON document on stdout with a verdict per item ("ok": true, or "ok": false and "error").
// It never decides what *should* pass: the Python test compares these verdicts with its own.
//
// `interop http` checks a running server instead (http.go).
//
// Build offline: GOPROXY=off GOFLAGS=-mod=mod go build (go.mod replaces golang.org/x/mod with
// Debian's golang-golang-x-mod-dev sources).
package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

type checkpointReq struct {
	Note string `json:"note"`
}

type inclusionReq struct {
	Leaf  string   `json:"leaf"` // base64 leaf bytes; Go hashes them itself
	Index int64    `json:"index"`
	Size  int64    `json:"size"`
	Proof []string `json:"proof"`
	Root  string   `json:"root"`
}

type consistencyReq struct {
	Size1 int64    `json:"size1"`
	Size2 int64    `json:"size2"`
	Proof []string `json:"proof"`
	Root1 string   `json:"root1"`
	Root2 string   `json:"root2"`
}

type tilesReq struct {
	Size  int64             `json:"size"`
	Root  string            `json:"root"`
	Tiles map[string]string `json:"tiles"` // C2SP path (tile/<L>/<N>[.p/<W>]) -> base64 data
}

type request struct {
	Vkey        string           `json:"vkey"`
	Checkpoints []checkpointReq  `json:"checkpoints"`
	Inclusion   []inclusionReq   `json:"inclusion"`
	Consistency []consistencyReq `json:"consistency"`
	Tiles       []tilesReq       `json:"tiles"`
}

type verdict struct {
	OK     bool   `json:"ok"`
	Error  string `json:"error,omitempty"`
	Origin string `json:"origin,omitempty"`
	Size   int64  `json:"size,omitempty"`
	Root   string `json:"root,omitempty"`
}

type response struct {
	Checkpoints []verdict `json:"checkpoints"`
	Inclusion   []verdict `json:"inclusion"`
	Consistency []verdict `json:"consistency"`
	Tiles       []verdict `json:"tiles"`
}

func fail(err error) verdict { return verdict{OK: false, Error: err.Error()} }

func decodeHash(s string) (tlog.Hash, error) {
	var h tlog.Hash
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return h, err
	}
	if len(b) != tlog.HashSize {
		return h, fmt.Errorf("hash is %d bytes", len(b))
	}
	copy(h[:], b)
	return h, nil
}

func decodeHashes(ss []string) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, 0, len(ss))
	for _, s := range ss {
		h, err := decodeHash(s)
		if err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, nil
}

// parseCheckpoint reads a C2SP tlog-checkpoint body: origin, decimal size, base64 root, then
// optional non-empty extension lines. tlog.ParseTree is the older sumdb format, so not used.
func parseCheckpoint(text string) (string, int64, tlog.Hash, error) {
	var zero tlog.Hash
	if !strings.HasSuffix(text, "\n") {
		return "", 0, zero, errors.New("checkpoint text does not end in a newline")
	}
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if len(lines) < 3 {
		return "", 0, zero, errors.New("checkpoint has fewer than three lines")
	}
	for _, l := range lines {
		if l == "" {
			return "", 0, zero, errors.New("checkpoint has an empty line")
		}
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || size < 0 || strconv.FormatInt(size, 10) != lines[1] {
		return "", 0, zero, fmt.Errorf("bad tree size %q", lines[1])
	}
	root, err := decodeHash(lines[2])
	if err != nil {
		return "", 0, zero, fmt.Errorf("bad root: %v", err)
	}
	return lines[0], size, root, nil
}

func checkCheckpoint(v note.Verifier, c checkpointReq) verdict {
	n, err := note.Open([]byte(c.Note), note.VerifierList(v))
	if err != nil {
		return fail(err)
	}
	origin, size, root, err := parseCheckpoint(n.Text)
	if err != nil {
		return fail(err)
	}
	if origin != v.Name() {
		return fail(fmt.Errorf("origin %q is not the key name %q", origin, v.Name()))
	}
	if size == 0 && root != tlog.Hash(sha256.Sum256(nil)) {
		return fail(errors.New("size 0 with a non-empty root"))
	}
	return verdict{OK: true, Origin: origin, Size: size, Root: base64.StdEncoding.EncodeToString(root[:])}
}

func checkInclusion(r inclusionReq) verdict {
	leaf, err := base64.StdEncoding.DecodeString(r.Leaf)
	if err != nil {
		return fail(err)
	}
	proof, err := decodeHashes(r.Proof)
	if err != nil {
		return fail(err)
	}
	root, err := decodeHash(r.Root)
	if err != nil {
		return fail(err)
	}
	if err := tlog.CheckRecord(tlog.RecordProof(proof), r.Size, root, r.Index, tlog.RecordHash(leaf)); err != nil {
		return fail(err)
	}
	return verdict{OK: true}
}

func checkConsistency(r consistencyReq) verdict {
	proof, err := decodeHashes(r.Proof)
	if err != nil {
		return fail(err)
	}
	root1, err := decodeHash(r.Root1)
	if err != nil {
		return fail(err)
	}
	root2, err := decodeHash(r.Root2)
	if err != nil {
		return fail(err)
	}
	if err := tlog.CheckTree(tlog.TreeProof(proof), r.Size2, root2, r.Size1, root1); err != nil {
		return fail(err)
	}
	return verdict{OK: true}
}

// tileStore serves tiles given as C2SP paths to tlog.TileHashReader, which uses the sumdb path
// form tile/<H>/<L>/<N>[.p/<W>]; the two differ only by the height element, so the path check
// below also checks our path encoding against x/mod's.
type tileStore struct{ data map[string][]byte }

func (s tileStore) Height() int { return 8 }

func (s tileStore) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	out := make([][]byte, len(tiles))
	for i, t := range tiles {
		p := strings.Replace(t.Path(), "tile/8/", "tile/", 1)
		d, ok := s.data[p]
		if !ok {
			return nil, fmt.Errorf("tile %s not provided", p)
		}
		out[i] = d
	}
	return out, nil
}

func (s tileStore) SaveTiles([]tlog.Tile, [][]byte) {}

func checkTiles(r tilesReq) verdict {
	store := tileStore{data: map[string][]byte{}}
	for p, b64 := range r.Tiles {
		b, err := base64.StdEncoding.DecodeString(b64)
		if err != nil {
			return fail(err)
		}
		store.data[p] = b
	}
	want, err := decodeHash(r.Root)
	if err != nil {
		return fail(err)
	}
	tree := tlog.Tree{N: r.Size, Hash: want}
	got, err := tlog.TreeHash(r.Size, tlog.TileHashReader(tree, store))
	if err != nil {
		return fail(err)
	}
	if !bytes.Equal(got[:], want[:]) {
		return fail(errors.New("tree hash from tiles differs"))
	}
	return verdict{OK: true}
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "http" { // see http.go
		os.Exit(mainHTTP(os.Stdin, os.Stdout))
	}
	var req request
	dec := json.NewDecoder(os.Stdin)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		fmt.Fprintln(os.Stderr, "bad request:", err)
		os.Exit(2)
	}
	v, err := note.NewVerifier(req.Vkey)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bad vkey:", err)
		os.Exit(2)
	}
	resp := response{
		Checkpoints: []verdict{},
		Inclusion:   []verdict{},
		Consistency: []verdict{},
		Tiles:       []verdict{},
	}
	for _, c := range req.Checkpoints {
		resp.Checkpoints = append(resp.Checkpoints, checkCheckpoint(v, c))
	}
	for _, r := range req.Inclusion {
		resp.Inclusion = append(resp.Inclusion, checkInclusion(r))
	}
	for _, r := range req.Consistency {
		resp.Consistency = append(resp.Consistency, checkConsistency(r))
	}
	for _, r := range req.Tiles {
		resp.Tiles = append(resp.Tiles, checkTiles(r))
	}
	if err := json.NewEncoder(os.Stdout).Encode(resp); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
}
