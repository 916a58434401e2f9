package emulator

import "testing"

func TestJSONBOrder(t *testing.T) {
	in := map[string]any{"zz": 1, "b": []any{map[string]any{"name": "x", "id": 2.5, "ab": nil}}, "aaa": "s", "a": true}
	got, err := jsonbOrder(in)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"a":true,"b":[{"ab":null,"id":2.5,"name":"x"}],"zz":1,"aaa":"s"}`
	if string(got) != want {
		t.Fatalf("got %s, want %s", got, want)
	}
}
