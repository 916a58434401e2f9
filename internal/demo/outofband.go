package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
)

// changeOutOfBand edits one spec field directly on the server, the way a
// person in Honua's admin UI would: read the resource with its ETag, PUT it
// back changed with If-Match. Annotations go as the UI sends them, so the
// resource stays recognisably ours and the change shows as drift.
func changeOutOfBand(ctx context.Context, base, id, field, value string) error {
	url := base + "/api/v1/admin/metadata/resources/" + id
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	req.Header.Set("X-API-Key", apiKey)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var env struct {
		Data map[string]any `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&env); err != nil || resp.StatusCode != http.StatusOK {
		return fmt.Errorf("read %s: status %d: %v", id, resp.StatusCode, err)
	}
	spec, _ := env.Data["spec"].(map[string]any)
	if spec == nil {
		return fmt.Errorf("read %s: no spec", id)
	}
	spec[field] = value
	body, err := json.Marshal(env.Data)
	if err != nil {
		return err
	}
	put, err := http.NewRequestWithContext(ctx, http.MethodPut, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	put.Header.Set("X-API-Key", apiKey)
	put.Header.Set("Content-Type", "application/json")
	put.Header.Set("If-Match", resp.Header.Get("ETag"))
	res, err := http.DefaultClient.Do(put)
	if err != nil {
		return err
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("update %s: status %d", id, res.StatusCode)
	}
	return nil
}
