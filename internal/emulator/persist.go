package emulator

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
)

// stateFormatVersion versions the state file layout.
const stateFormatVersion = 1

// stateFile is the JSON layout of the optional state file.
type stateFile struct {
	FormatVersion int               `json:"formatVersion"`
	Sequence      uint64            `json:"sequence"`
	Resources     []Resource        `json:"resources"`
	Versions      []ManifestVersion `json:"versions"`
	Pending       []pendingChange   `json:"pending"`
}

// load reads the state file, if one is configured and exists.
func (s *Server) load() error {
	if s.opts.StateFile == "" {
		return nil
	}
	raw, err := os.ReadFile(s.opts.StateFile)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read state file: %w", err)
	}
	var st stateFile
	if err := json.Unmarshal(raw, &st); err != nil {
		return fmt.Errorf("read state file %s: %w", s.opts.StateFile, err)
	}
	if st.FormatVersion != stateFormatVersion {
		return fmt.Errorf("read state file %s: format version %d, want %d", s.opts.StateFile, st.FormatVersion, stateFormatVersion)
	}
	if err := st.recanonicalize(); err != nil {
		return fmt.Errorf("read state file %s: %w", s.opts.StateFile, err)
	}
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	s.store.sequence = st.Sequence
	for i := range st.Resources {
		r := st.Resources[i].clone()
		key := keyOf(r.Identity())
		if _, dup := s.store.resources[key]; dup {
			return fmt.Errorf("read state file %s: duplicate resource %s", s.opts.StateFile, r.Identity())
		}
		s.store.resources[key] = &r
	}
	s.store.versions = st.Versions
	for i := range st.Pending {
		p := st.Pending[i]
		s.store.pending[p.Record.PendingID] = &p
	}
	return nil
}

// recanonicalize rewrites every spec read from the file in canonical form,
// undoing the file's indentation so hashes and answers match the originals.
func (st *stateFile) recanonicalize() error {
	fix := func(raw *json.RawMessage, what string) error {
		obj, err := parseObject(*raw)
		if err != nil {
			return fmt.Errorf("%s: spec: %w", what, err)
		}
		c, err := canonicalJSON(obj)
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		*raw = c
		return nil
	}
	for i := range st.Resources {
		if err := fix(&st.Resources[i].Spec, "resource "+st.Resources[i].Identity().String()); err != nil {
			return err
		}
	}
	for i := range st.Versions {
		if st.Versions[i].Manifest == nil {
			return fmt.Errorf("version %s: manifest missing", st.Versions[i].VersionID)
		}
		for j := range st.Versions[i].Manifest.Resources {
			d := &st.Versions[i].Manifest.Resources[j]
			if err := fix(&d.Spec, "version "+st.Versions[i].VersionID+" resource "+d.Identity().String()); err != nil {
				return err
			}
		}
	}
	for i := range st.Pending {
		for j := range st.Pending[i].Resources {
			d := &st.Pending[i].Resources[j]
			if err := fix(&d.Spec, "pending change "+st.Pending[i].Record.PendingID+" resource "+d.Identity().String()); err != nil {
				return err
			}
		}
	}
	return nil
}

// snapshot copies the state for writing and clears the dirty flag; it
// returns false when nothing changed since the last snapshot.
func (s *store) snapshot() (stateFile, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.dirty {
		return stateFile{}, false
	}
	s.dirty = false
	out := stateFile{
		FormatVersion: stateFormatVersion,
		Sequence:      s.sequence,
		Resources:     make([]Resource, 0, len(s.resources)),
		Versions:      append([]ManifestVersion{}, s.versions...),
		Pending:       make([]pendingChange, 0, len(s.pending)),
	}
	for _, r := range s.resources {
		out.Resources = append(out.Resources, r.clone())
	}
	for _, p := range s.pending {
		out.Pending = append(out.Pending, *p)
	}
	sortResources(out.Resources)
	sortPending(out.Pending)
	return out, true
}

// persist writes the state file atomically (temp file, fsync, rename) when
// the state changed. Snapshot and write run under persistMu, so the file
// always ends with the newest snapshot.
func (s *Server) persist() error {
	if s.opts.StateFile == "" {
		return nil
	}
	s.persistMu.Lock()
	defer s.persistMu.Unlock()
	st, changed := s.store.snapshot()
	if !changed {
		return nil
	}
	body, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return fmt.Errorf("encode state: %w", err)
	}
	if err := writeFileAtomic(s.opts.StateFile, append(body, '\n')); err != nil {
		s.store.mu.Lock()
		s.store.dirty = true // retry on the next write
		s.store.mu.Unlock()
		return err
	}
	return nil
}

// flush persists the state after a write request and reports whether the
// request may answer; when the state file cannot be written it answers 500.
func (s *Server) flush(w http.ResponseWriter) bool {
	if err := s.persist(); err != nil {
		s.log.Error("persist state", "file", s.opts.StateFile, "error", err)
		s.writeProblem(w, http.StatusInternalServerError, "Internal Server Error", "The emulator could not write its state file.")
		return false
	}
	return true
}

// writeFileAtomic replaces path with data so that readers see the old or
// the new file, never a partial one.
func writeFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("write state file: %w", err)
	}
	name := tmp.Name()
	defer func() { _ = os.Remove(name) }() // no-op after the rename
	if _, err := tmp.Write(data); err != nil {
		_ = tmp.Close()
		return fmt.Errorf("write state file: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		_ = tmp.Close()
		return fmt.Errorf("write state file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write state file: %w", err)
	}
	if err := os.Chmod(name, 0o600); err != nil {
		return fmt.Errorf("write state file: %w", err)
	}
	if err := os.Rename(name, path); err != nil {
		return fmt.Errorf("write state file: %w", err)
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
	return nil
}
