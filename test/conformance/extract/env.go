package main

import "go/ast"

// Env is the lexical environment an expression is evaluated in: local scopes, the package the
// code belongs to and the file (for its imports).
type Env struct {
	scope *Scope
	pkg   *Package
	file  *ast.File
}

// Scope is one block of local declarations.
type Scope struct {
	parent *Scope
	vars   map[string]*Var
	types  map[string]*TypeInfo
}

// Var is a local variable. depth records how many uncertain branches or loops enclosed its
// declaration, so an assignment made under more uncertainty than that can be flagged.
type Var struct {
	V     Value
	depth int
}

func newScope(parent *Scope) *Scope {
	return &Scope{parent: parent, vars: map[string]*Var{}, types: map[string]*TypeInfo{}}
}

// child returns an environment with a fresh innermost scope.
func (e *Env) child() *Env {
	return &Env{scope: newScope(e.scope), pkg: e.pkg, file: e.file}
}

func (e *Env) lookupVar(name string) *Var {
	for s := e.scope; s != nil; s = s.parent {
		if v, ok := s.vars[name]; ok {
			return v
		}
	}
	return nil
}

func (e *Env) lookupType(name string) *TypeInfo {
	for s := e.scope; s != nil; s = s.parent {
		if t, ok := s.types[name]; ok {
			return t
		}
	}
	return nil
}

func (e *Env) define(name string, v Value, depth int) {
	if name == "_" || name == "" {
		return
	}
	e.scope.vars[name] = &Var{V: v, depth: depth}
}
