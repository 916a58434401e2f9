package conformance

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestGen2Connections(t *testing.T) {
	s := start(t, seeded)
	conns := admin + "/connections"
	noSecrets := func(t *testing.T, body []byte) {
		t.Helper()
		for _, k := range []string{"password", "secretReference", "secretType", "s3cr3t"} {
			assert.NotContains(t, string(body), `"`+k+`"`)
		}
		assert.NotContains(t, string(body), "s3cr3t")
	}

	t.Run("list and get", func(t *testing.T) {
		r := s.do(http.MethodGet, conns, nil)
		items := r.data(t, http.StatusOK).([]any)
		require.Len(t, items, 1)
		c := items[0].(map[string]any)
		assert.Equal(t, gen2ConnID, c["connectionId"])
		assert.Equal(t, "Require", c["sslMode"], "canonical casing")
		assert.Equal(t, "postgresql", c["provider"])
		assert.Equal(t, "external", c["storageType"])
		assert.NotContains(t, c, "credentialReference")
		noSecrets(t, r.body)

		d := s.do(http.MethodGet, conns+"/"+strings.ToUpper(gen2ConnID), nil).dataObj(t, http.StatusOK)
		assert.Equal(t, "env://GIS_DB", d["credentialReference"])
		assert.Contains(t, d, "updatedAt")
		s.do(http.MethodGet, conns+"/00000000-0000-0000-0000-000000000000", nil).failure(t, http.StatusNotFound)
		s.do(http.MethodGet, conns+"/gis", nil).empty(t, http.StatusNotFound)
	})

	var id string
	t.Run("create", func(t *testing.T) {
		body := map[string]any{"name": "warehouse", "host": "wh", "port": 6432, "databaseName": "wh", "username": "u",
			"password": "s3cr3t", "sslRequired": true, "sslMode": "verifyfull"}
		r := s.do(http.MethodPost, conns, body)
		c := r.dataObj(t, http.StatusCreated)
		id = c["connectionId"].(string)
		assert.Equal(t, admin+"/connections/"+id, r.header.Get("Location"))
		assert.Equal(t, "VerifyFull", c["sslMode"])
		assert.Equal(t, "managed", c["storageType"])
		noSecrets(t, r.body)

		assert.Equal(t, "Secure connection request is invalid.", s.do(http.MethodPost, conns, body).failure(t, http.StatusBadRequest))
		bad := map[string]any{"name": "x", "host": "h", "databaseName": "d", "username": "u", "password": "p", "sslMode": "sometimes"}
		assert.Equal(t, "Invalid SSL mode", s.do(http.MethodPost, conns, bad).failure(t, http.StatusBadRequest))
		bad["sslMode"], bad["sslRequired"] = "disable", true
		assert.Contains(t, s.do(http.MethodPost, conns, bad).failure(t, http.StatusBadRequest), "'Disable' is invalid")
		delete(bad, "password")
		bad["sslRequired"] = false
		assert.Contains(t, s.do(http.MethodPost, conns, bad).failure(t, http.StatusBadRequest), "Password is required")
		assert.Contains(t, s.do(http.MethodPost, conns, map[string]any{"name": "y"}).failure(t, http.StatusBadRequest), "Validation failed")
	})
	t.Run("update is partial; name, provider and secretReference are immutable", func(t *testing.T) {
		r := s.do(http.MethodPut, conns+"/"+gen2ConnID, map[string]any{"name": "renamed", "provider": "oracle",
			"secretReference": "env://OTHER", "host": "db2", "sslMode": "PREFER"})
		c := r.dataObj(t, http.StatusOK)
		assert.Equal(t, "gis", c["name"])
		assert.Equal(t, "postgresql", c["provider"])
		assert.Equal(t, "db2", c["host"])
		assert.Equal(t, "Prefer", c["sslMode"])
		assert.Equal(t, "gis", c["databaseName"], "absent members keep their value")
		d := s.do(http.MethodGet, conns+"/"+gen2ConnID, nil).dataObj(t, http.StatusOK)
		assert.Equal(t, "env://GIS_DB", d["credentialReference"])
		assert.NotNil(t, d["updatedAt"])

		// A password replaces the secret reference.
		s.do(http.MethodPut, conns+"/"+gen2ConnID, map[string]any{"password": "s3cr3t"}).data(t, http.StatusOK)
		d = s.do(http.MethodGet, conns+"/"+gen2ConnID, nil).dataObj(t, http.StatusOK)
		assert.Nil(t, d["credentialReference"])
		assert.Equal(t, "managed", d["storageType"])

		s.do(http.MethodPut, conns+"/00000000-0000-0000-0000-000000000000", map[string]any{}).failure(t, http.StatusNotFound)
		s.do(http.MethodPut, conns+"/"+gen2ConnID, map[string]any{"sslMode": "nope"}).failure(t, http.StatusBadRequest)
	})
	t.Run("test", func(t *testing.T) {
		res := s.do(http.MethodPost, conns+"/"+gen2ConnID+"/test", nil).dataObj(t, http.StatusOK)
		assert.Equal(t, true, res["isHealthy"])
		assert.Equal(t, "gis", res["connectionName"])
		draft := s.do(http.MethodPost, conns+"/test", map[string]any{"name": "d", "host": "h", "databaseName": "d",
			"username": "u", "secretReference": "env://X", "secretType": "environment"}).dataObj(t, http.StatusOK)
		assert.Equal(t, "00000000-0000-0000-0000-000000000000", draft["connectionId"])
		s.do(http.MethodPost, conns+"/test", map[string]any{"name": "d"}).failure(t, http.StatusBadRequest)
	})
	t.Run("inactive connections are not listed", func(t *testing.T) {
		s.do(http.MethodPut, conns+"/"+id, map[string]any{"isActive": false}).data(t, http.StatusOK)
		items := s.do(http.MethodGet, conns, nil).data(t, http.StatusOK).([]any)
		require.Len(t, items, 1)
		s.do(http.MethodGet, conns+"/"+id, nil).data(t, http.StatusOK)
	})
	t.Run("delete", func(t *testing.T) {
		s.do(http.MethodDelete, conns+"/"+gen2ConnID, nil).failure(t, http.StatusConflict)
		r := s.do(http.MethodDelete, conns+"/"+id, nil)
		assert.Nil(t, r.data(t, http.StatusOK))
		assert.Equal(t, "Connection deleted", r.obj(t)["message"])
		s.do(http.MethodDelete, conns+"/"+id, nil).failure(t, http.StatusNotFound)
	})
}
