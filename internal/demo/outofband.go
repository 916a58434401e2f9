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

// gen2Log is the emulator's test-only account of the Generation 2 graph:
// its revision and every write that made one.
type gen2Log struct {
	Environment string `json:"environment"`
	Revision    int    `json:"revision"`
	ETag        string `json:"etag"`
	Writes      []struct {
		Revision int    `json:"revision"`
		Method   string `json:"method"`
		Path     string `json:"path"`
	} `json:"writes"`
}

func readGen2Log(ctx context.Context, base string) (gen2Log, error) {
	var l gen2Log
	err := getJSON(ctx, base+"/__emulator/gen2/log", false, &l)
	return l, err
}

// setServiceProtocols replaces a Generation 2 service's enabled protocols
// directly on the server, as Honua's admin UI does.
func setServiceProtocols(ctx context.Context, base, service string, protocols []string) error {
	body, err := json.Marshal(map[string]any{"enabledProtocols": protocols})
	if err != nil {
		return err
	}
	url := base + "/api/v1/admin/services/" + service + "/protocols"
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("X-API-Key", apiKey)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("PUT %s: status %d", url, res.StatusCode)
	}
	return nil
}

func serviceProtocols(ctx context.Context, base, service string) ([]string, error) {
	var env struct {
		Data struct {
			EnabledProtocols []string `json:"enabledProtocols"`
		} `json:"data"`
	}
	err := getJSON(ctx, base+"/api/v1/admin/services/"+service+"/settings", true, &env)
	return env.Data.EnabledProtocols, err
}

// fieldAlias reads one field's alias of a published layer, finding the
// layer's id through the connection's layer list.
func fieldAlias(ctx context.Context, base, connection, service, layer, field string) (string, error) {
	var layers struct {
		Data []struct {
			LayerID   int    `json:"layerId"`
			LayerName string `json:"layerName"`
		} `json:"data"`
	}
	if err := getJSON(ctx, base+"/api/v1/admin/connections/"+connection+"/layers?serviceName="+service, true, &layers); err != nil {
		return "", err
	}
	for _, l := range layers.Data {
		if l.LayerName != layer {
			continue
		}
		var fields struct {
			Data struct {
				Fields []struct {
					Name  string `json:"name"`
					Alias string `json:"alias"`
				} `json:"fields"`
			} `json:"data"`
		}
		if err := getJSON(ctx, fmt.Sprintf("%s/api/v1/admin/metadata/layers/%d/fields", base, l.LayerID), true, &fields); err != nil {
			return "", err
		}
		for _, f := range fields.Data.Fields {
			if f.Name == field {
				return f.Alias, nil
			}
		}
		return "", fmt.Errorf("layer %s has no field %s", layer, field)
	}
	return "", fmt.Errorf("service %s has no layer %s", service, layer)
}

func getJSON(ctx context.Context, url string, auth bool, into any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	if auth {
		req.Header.Set("X-API-Key", apiKey)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: status %d", url, res.StatusCode)
	}
	if err := json.NewDecoder(res.Body).Decode(into); err != nil {
		return fmt.Errorf("GET %s: %w", url, err)
	}
	return nil
}

func jsonList(v []string) string {
	b, _ := json.Marshal(v)
	return string(b)
}
