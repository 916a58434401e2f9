package usecase_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"

	"github.com/honua-io/honua-gitops/internal/deploy"
	"github.com/honua-io/honua-gitops/internal/statebranch"
	"github.com/honua-io/honua-gitops/internal/usecase"
)

// historyBranch builds a state branch holding n deployments of one
// environment, as years of use would leave it.
func historyBranch(b *testing.B, n int) (*statebranch.Store, string) {
	b.Helper()
	dir := b.TempDir()
	if _, err := git.PlainInit(dir, false); err != nil {
		b.Fatal(err)
	}
	store, err := statebranch.Open(statebranch.Options{RepoDir: dir, Branch: "honua-gitops/state"})
	if err != nil {
		b.Fatal(err)
	}
	ix := &deploy.Index{FormatVersion: 1, Environment: "production"}
	rc := &deploy.Recent{FormatVersion: 1, Environment: "production"}
	var changes []statebranch.Change
	start := time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)
	var last string
	for i := range n {
		at := start.Add(time.Duration(i) * time.Hour)
		id := at.Format("20060102T150405") + fmt.Sprintf("%03dZ-%06x", i%1000, i*7919%0xffffff)
		d := deploy.New(id, "production", deploy.KindApply, at)
		d.Actor, d.Source.Commit = "ci", fmt.Sprintf("%040x", i)
		_ = d.Advance(deploy.Planning, at, "planning")
		_ = d.Advance(deploy.Applying, at, "applying")
		_ = d.Advance(deploy.Succeeded, at.Add(time.Minute), "done")
		data, _ := deploy.Encode(d)
		changes = append(changes, statebranch.Change{Path: deploy.RecordPath("production", id), Data: data})
		deploy.Put(ix, rc, d.Summarize())
		last = id
	}
	idx, _ := deploy.Encode(ix)
	recent, _ := deploy.Encode(rc)
	changes = append(changes, statebranch.Change{Path: deploy.IndexPath("production"), Data: idx},
		statebranch.Change{Path: deploy.RecentPath("production"), Data: recent})
	view, err := store.Read(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	if _, err := store.Commit(context.Background(), view, statebranch.Commit{Subject: "history", Changes: changes}); err != nil {
		b.Fatal(err)
	}
	return store, last
}

// BenchmarkHistoryLookups shows that status (latest per environment) and
// deployment <id> cost the same with 10 and 10,000 recorded deployments.
func BenchmarkHistoryLookups(b *testing.B) {
	for _, n := range []int{10, 10_000} {
		store, id := historyBranch(b, n)
		b.Run(fmt.Sprintf("status/deployments=%d", n), func(b *testing.B) {
			for b.Loop() {
				st, err := usecase.Status(context.Background(), store, []string{"production"}, nil)
				if err != nil || st[0].Latest == nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("deployment-by-id/deployments=%d", n), func(b *testing.B) {
			for b.Loop() {
				d, err := usecase.FindDeployment(context.Background(), store, []string{"production"}, id)
				if err != nil || d.ID != id {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("deployments-last-20/deployments=%d", n), func(b *testing.B) {
			for b.Loop() {
				if _, _, err := usecase.Deployments(context.Background(), store, "production", 20); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
