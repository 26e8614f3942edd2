package archive

import (
	"bytes"
	"encoding/json"
	"errors"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/picup/picup/internal/testenv"
)

// The layers of picup, lowest first. Imports point down (or sideways
// within a layer, except between front ends); front ends change the
// catalog only through this package.
const module = "github.com/picup/picup"

var frontEnds = []string{module + "/internal/cli", module + "/internal/tui", module + "/internal/web"}

// layer ranks a package of the module; -1 for tools outside the layers.
func layer(path string) int {
	rel := strings.TrimPrefix(path, module+"/")
	switch {
	case strings.HasPrefix(rel, "pkg/"):
		return 0
	case rel == "internal/archive":
		return 2
	case slices.Contains(frontEnds, path):
		return 3
	case rel == "internal/app" || strings.HasPrefix(rel, "cmd/"):
		return 4
	case strings.HasPrefix(rel, "internal/"):
		return 1
	}
	return -1 // scripts
}

var layerNames = []string{"pkg", "core", "operations", "front end", "main"}

type listedPackage struct {
	ImportPath string
	Dir        string
	GoFiles    []string
	Imports    []string
	Deps       []string
	Export     string
	Standard   bool
}

// goList lists the module's packages and their dependencies, with the
// compiler's export data for type-checking against.
func goList(t *testing.T) map[string]*listedPackage {
	t.Helper()
	if _, err := exec.LookPath("go"); err != nil {
		testenv.Missing(t, "the go command is not on PATH: cannot list packages")
	}
	cmd := exec.Command("go", "list", "-deps", "-export", "-json", "./...")
	cmd.Dir = filepath.Join("..", "..")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	pkgs := map[string]*listedPackage{}
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p listedPackage
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		pkgs[p.ImportPath] = &p
	}
	return pkgs
}

func TestImportsPointDown(t *testing.T) {
	pkgs := goList(t)
	for path, p := range pkgs {
		from := layer(path)
		if p.Standard || !strings.HasPrefix(path, module) || from < 0 {
			continue
		}
		for _, imp := range p.Imports {
			if !strings.HasPrefix(imp, module) {
				continue
			}
			to := layer(imp)
			switch {
			case to > from:
				t.Errorf("%s (%s) imports %s (%s): imports must point down", path, layerNames[from], imp, layerNames[to])
			case to == 3 && from == 3 && path != module+"/internal/cli":
				t.Errorf("%s imports the front end %s: only the command line puts front ends together", path, imp)
			}
		}
	}
	// The terminal browser must not pull in the HTTP server.
	if tui := pkgs[module+"/internal/tui"]; tui == nil {
		t.Fatal("internal/tui not listed")
	} else if slices.Contains(tui.Deps, module+"/internal/web") {
		t.Errorf("internal/tui depends on internal/web")
	}
}

// catalogWriters are the methods of *catalog.Catalog that write: those
// that use its writer connection or Write, directly or through another
// such method.
func catalogWriters(t *testing.T, p *listedPackage) map[string]bool {
	t.Helper()
	fset := token.NewFileSet()
	type method struct {
		recv  string
		calls map[string]bool // selectors used on the receiver
	}
	methods := map[string]method{}
	for _, name := range p.GoFiles {
		f, err := parser.ParseFile(fset, filepath.Join(p.Dir, name), nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Recv == nil || len(fd.Recv.List) != 1 || len(fd.Recv.List[0].Names) != 1 || fd.Body == nil {
				continue
			}
			star, ok := fd.Recv.List[0].Type.(*ast.StarExpr)
			if !ok {
				continue
			}
			if id, ok := star.X.(*ast.Ident); !ok || id.Name != "Catalog" {
				continue
			}
			m := method{recv: fd.Recv.List[0].Names[0].Name, calls: map[string]bool{}}
			ast.Inspect(fd.Body, func(n ast.Node) bool {
				if sel, ok := n.(*ast.SelectorExpr); ok {
					if id, ok := sel.X.(*ast.Ident); ok && id.Name == m.recv {
						m.calls[sel.Sel.Name] = true
					}
				}
				return true
			})
			methods[fd.Name.Name] = m
		}
	}
	writers := map[string]bool{"Write": true}
	for changed := true; changed; {
		changed = false
		for name, m := range methods {
			if writers[name] {
				continue
			}
			for used := range m.calls {
				if used == "w" || writers[used] {
					writers[name], changed = true, true
					break
				}
			}
		}
	}
	if len(writers) < 3 {
		t.Fatalf("found only %v writing in *catalog.Catalog: the scan is broken", writers)
	}
	return writers
}

// Front ends never open a catalog transaction nor call a catalog method
// that writes: every change goes through this package.
func TestFrontEndsChangeTheCatalogOnlyThroughOperations(t *testing.T) {
	pkgs := goList(t)
	catPkg := pkgs[module+"/internal/catalog"]
	if catPkg == nil {
		t.Fatal("internal/catalog not listed")
	}
	writers := catalogWriters(t, catPkg)
	for _, path := range frontEnds {
		p := pkgs[path]
		if p == nil {
			t.Fatalf("%s not listed", path)
		}
		fset := token.NewFileSet()
		var files []*ast.File
		for _, name := range p.GoFiles {
			f, err := parser.ParseFile(fset, filepath.Join(p.Dir, name), nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			files = append(files, f)
		}
		imp := importer.ForCompiler(fset, "gc", func(path string) (io.ReadCloser, error) {
			dep := pkgs[path]
			if dep == nil || dep.Export == "" {
				return nil, errors.New("no export data for " + path)
			}
			return os.Open(dep.Export)
		})
		info := &types.Info{Selections: map[*ast.SelectorExpr]*types.Selection{}, Uses: map[*ast.Ident]types.Object{}}
		if _, err := (&types.Config{Importer: imp}).Check(path, fset, files, info); err != nil {
			t.Fatalf("type-check %s: %v", path, err)
		}
		checked := 0
		for sel, s := range info.Selections {
			recv := s.Recv()
			if ptr, ok := recv.(*types.Pointer); ok {
				recv = ptr.Elem()
			}
			named, ok := recv.(*types.Named)
			if !ok || named.Obj().Pkg() == nil || named.Obj().Pkg().Path() != module+"/internal/catalog" {
				continue
			}
			checked++
			switch name := named.Obj().Name(); {
			case name == "Tx":
				t.Errorf("%s: %s uses a catalog transaction (%s); call an operation of internal/archive instead",
					path, fset.Position(sel.Pos()), sel.Sel.Name)
			case name == "Catalog" && writers[sel.Sel.Name]:
				t.Errorf("%s: %s calls Catalog.%s, which writes; call an operation of internal/archive instead",
					path, fset.Position(sel.Pos()), sel.Sel.Name)
			}
		}
		for id, obj := range info.Uses {
			if tn, ok := obj.(*types.TypeName); ok && tn.Pkg() != nil && tn.Pkg().Path() == module+"/internal/catalog" && tn.Name() == "Tx" {
				t.Errorf("%s: %s names catalog.Tx; front ends do not open transactions", path, fset.Position(id.Pos()))
			}
		}
		if checked == 0 {
			t.Errorf("%s: no use of the catalog's types found: the check saw nothing", path)
		}
	}
}
