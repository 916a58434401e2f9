package emulator

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"
)

// FaultTiming says whether a fault strikes before or after the request's
// work (for write faults: before or after the write commits).
type FaultTiming string

// Fault timings.
const (
	// FaultBefore strikes before any work: nothing changes on the server.
	FaultBefore FaultTiming = "before"
	// FaultAfter strikes after the work: the write happened and only the
	// answer is lost or replaced by an error.
	FaultAfter FaultTiming = "after"
)

// ParseFaultTiming parses "before" or "after".
func ParseFaultTiming(s string) (FaultTiming, error) {
	switch t := FaultTiming(s); t {
	case FaultBefore, FaultAfter:
		return t, nil
	}
	return "", fmt.Errorf("fault timing %q: want before or after", s)
}

// Faults configures deterministic fault injection. Random choices come from
// a PCG generator seeded with Seed, drawn in request order, so a sequential
// client sees the same faults on every run. Health endpoints are exempt.
type Faults struct {
	// Latency is added to every request.
	Latency time.Duration
	// Jitter adds a uniformly random extra delay in [0, Jitter].
	Jitter time.Duration
	// ErrorRate is the fraction (0..1) of requests answered with 500 or
	// 503 (chosen at random) instead of their real answer.
	ErrorRate float64
	// FailNthWrite fails the Nth write attempt (1-based) counted over the
	// server's life since the faults were set; 0 disables it. A write is one
	// resource create, update or delete, whether from CRUD or from a manifest
	// apply; the failing request is answered with 500 and a manifest apply
	// stops there, leaving earlier writes in place (Honua applies without a
	// transaction).
	FailNthWrite int
	// FailResource fails every write to this exact stored identity.
	FailResource Identity
	// WriteStatus is the status FailNthWrite and FailResource answer with:
	// 500 (the default) or 503. A 503 is what clients retry on their own,
	// so it provokes a retried PUT or DELETE after a lost answer.
	WriteStatus int
	// DropRate is the fraction (0..1) of requests whose connection is
	// closed without an answer.
	DropRate float64
	// When places every fault before or after the work; it defaults to
	// FaultBefore.
	When FaultTiming
	// Seed seeds the random choices.
	Seed uint64
	// RelationshipsConflict (Generation 2) answers every valid
	// relationships PUT, single or batch, with the 409 problem a server
	// gives once its 5 save attempts hit an ETag mismatch ("Metadata
	// changed during relationship authoring…"). Nothing is written. It is
	// not a write fault: it does not count towards FailNthWrite.
	RelationshipsConflict bool
	// ServingStatus, when not 0, answers every serving route (/ogc/… and
	// /rest/services…) with this status (400..599) and a problem document,
	// before authentication; the health, admin and control-plane routes
	// keep working. It simulates a server that applied fine but no longer
	// serves maps and features. Set it at run time with SetFaults or
	// SetServingStatus.
	ServingStatus int
}

// Validate checks rates and durations.
func (f Faults) Validate() error {
	var errs []error
	if f.Latency < 0 || f.Jitter < 0 {
		errs = append(errs, errors.New("fault latency and jitter must not be negative"))
	}
	if f.ErrorRate < 0 || f.ErrorRate > 1 {
		errs = append(errs, fmt.Errorf("fault error rate %v: want 0..1", f.ErrorRate))
	}
	if f.DropRate < 0 || f.DropRate > 1 {
		errs = append(errs, fmt.Errorf("fault drop rate %v: want 0..1", f.DropRate))
	}
	if f.FailNthWrite < 0 {
		errs = append(errs, fmt.Errorf("fault fail-nth-write %d: want 0 or more", f.FailNthWrite))
	}
	switch f.WriteStatus {
	case 0, http.StatusInternalServerError, http.StatusServiceUnavailable:
	default:
		errs = append(errs, fmt.Errorf("fault write status %d: want 500 or 503", f.WriteStatus))
	}
	if f.ServingStatus != 0 && (f.ServingStatus < 400 || f.ServingStatus > 599) {
		errs = append(errs, fmt.Errorf("fault serving status %d: want 400..599", f.ServingStatus))
	}
	if f.When != "" {
		if _, err := ParseFaultTiming(string(f.When)); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (f Faults) timing() FaultTiming {
	if f.When == "" {
		return FaultBefore
	}
	return f.When
}

// injectedFault is the error a write fault produces; handlers answer it
// with 500.
type injectedFault struct {
	kind   string
	detail string
	when   FaultTiming
	status int
}

func (e *injectedFault) Error() string {
	return fmt.Sprintf("injected fault (%s, %s): %s", e.kind, e.when, e.detail)
}

// requestFaults are the faults chosen for one request.
type requestFaults struct {
	when   FaultTiming
	delay  time.Duration
	drop   bool
	status int // 0, 500 or 503
}

func (rf requestFaults) any() bool {
	return rf.delay > 0 || rf.drop || rf.status != 0
}

// faultInjector holds the fault configuration, its random source and the
// write counter.
type faultInjector struct {
	mu     sync.Mutex
	cfg    Faults
	rng    *rand.Rand
	writes int
}

func newFaultInjector(f Faults) *faultInjector {
	fi := &faultInjector{}
	fi.set(f)
	return fi
}

// set replaces the configuration and restarts the random sequence and the
// write counter.
func (fi *faultInjector) set(f Faults) {
	fi.mu.Lock()
	defer fi.mu.Unlock()
	fi.cfg = f
	fi.rng = rand.New(rand.NewPCG(f.Seed, f.Seed^0x9e3779b97f4a7c15))
	fi.writes = 0
}

// rollRequest draws the faults for one request. It always draws the same
// number of values so the sequence depends only on the seed and the number
// of requests.
func (fi *faultInjector) rollRequest() requestFaults {
	fi.mu.Lock()
	defer fi.mu.Unlock()
	jitterRoll, dropRoll, errRoll, statusRoll := fi.rng.Float64(), fi.rng.Float64(), fi.rng.Float64(), fi.rng.IntN(2)
	rf := requestFaults{when: fi.cfg.timing(), delay: fi.cfg.Latency}
	if fi.cfg.Jitter > 0 {
		rf.delay += time.Duration(jitterRoll * float64(fi.cfg.Jitter))
	}
	rf.drop = dropRoll < fi.cfg.DropRate
	if errRoll < fi.cfg.ErrorRate {
		rf.status = 500
		if statusRoll == 1 {
			rf.status = 503
		}
	}
	return rf
}

// servingStatus is the status every serving route must answer, or 0.
func (fi *faultInjector) servingStatus() int {
	fi.mu.Lock()
	defer fi.mu.Unlock()
	return fi.cfg.ServingStatus
}

// setServingStatus changes only the serving status, keeping the random
// sequence and the write counter.
func (fi *faultInjector) setServingStatus(status int) {
	fi.mu.Lock()
	defer fi.mu.Unlock()
	fi.cfg.ServingStatus = status
}

// relationshipsConflict reports whether relationships writes must answer
// the retries-exhausted 409.
func (fi *faultInjector) relationshipsConflict() bool {
	fi.mu.Lock()
	defer fi.mu.Unlock()
	return fi.cfg.RelationshipsConflict
}

// checkWrite counts one write attempt to id and returns the fault it must
// suffer, if any.
func (fi *faultInjector) checkWrite(id Identity) *injectedFault {
	fi.mu.Lock()
	defer fi.mu.Unlock()
	fi.writes++
	status := fi.cfg.WriteStatus
	if status == 0 {
		status = http.StatusInternalServerError
	}
	switch {
	case fi.cfg.FailNthWrite > 0 && fi.writes == fi.cfg.FailNthWrite:
		return &injectedFault{kind: "fail-nth-write", when: fi.cfg.timing(), status: status,
			detail: fmt.Sprintf("write %d to %s failed", fi.writes, id)}
	case !fi.cfg.FailResource.IsZero() && fi.cfg.FailResource == id:
		return &injectedFault{kind: "fail-resource", when: fi.cfg.timing(), status: status,
			detail: fmt.Sprintf("write to %s failed", id)}
	}
	return nil
}
