package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/picup/picup/internal/app"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"picup": func() { os.Exit(app.Main()) },
	})
}

// TestScripts runs the end-to-end scripts in testdata/script: the real
// picup command line against real libraries. $PHOTOS is the repository's
// committed sample set.
func TestScripts(t *testing.T) {
	photos, err := filepath.Abs(filepath.Join("..", "..", "testdata", "photos"))
	if err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Dir: filepath.Join("testdata", "script"),
		Setup: func(env *testscript.Env) error {
			env.Setenv("PHOTOS", photos)
			env.Setenv("PICUP_LIBRARY", filepath.Join(env.WorkDir, "lib"))
			env.Setenv("HOME", env.WorkDir)
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			// exitcode N CMD ARGS... runs CMD and checks its exit status.
			"exitcode": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) < 2 {
					ts.Fatalf("usage: exitcode N command [args...]")
				}
				want, err := strconv.Atoi(args[0])
				if err != nil {
					ts.Fatalf("exitcode: %v", err)
				}
				err = ts.Exec(args[1], args[2:]...)
				got := 0
				var ee *exec.ExitError
				if errors.As(err, &ee) {
					got = ee.ExitCode()
				} else if err != nil {
					ts.Fatalf("exitcode: %v", err)
				}
				if got != want {
					ts.Fatalf("%s exited with %d; want %d", args[1], got, want)
				}
			},
		},
	})
}
