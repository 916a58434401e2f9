package emulator_test

import (
	"context"
	"fmt"
	"net/http"

	"github.com/honua-io/honua-gitops/internal/emulator"
)

// Start an emulator on a free loopback port, as tests do.
func ExampleStart() {
	run, err := emulator.Start(context.Background(), emulator.Options{APIKey: "dev-key"})
	if err != nil {
		panic(err)
	}
	defer func() { _ = run.Close() }()

	req, _ := http.NewRequest(http.MethodGet, run.URL+emulator.BasePath+"/version", nil)
	req.Header.Set("X-API-Key", "dev-key")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	_ = resp.Body.Close()
	fmt.Println(resp.StatusCode)
	// Output: 200
}
