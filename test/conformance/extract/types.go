package main

import (
	"go/ast"
	"reflect"
	"strconv"
	"strings"
)

var basicTypes = map[string]bool{
	"string": true, "bool": true, "byte": true, "rune": true, "error": true, "any": true,
	"int": true, "int8": true, "int16": true, "int32": true, "int64": true,
	"uint": true, "uint8": true, "uint16": true, "uint32": true, "uint64": true,
	"float32": true, "float64": true,
}

// typeOf resolves a type expression. It returns nil when e does not denote a type, which is how
// the evaluator tells conversions such as v1.Kind("HTTPRoute") from function calls.
func (in *Interp) typeOf(e ast.Expr, env *Env) *TypeInfo {
	switch e := e.(type) {
	case *ast.ParenExpr:
		return in.typeOf(e.X, env)
	case *ast.Ident:
		if t := env.lookupType(e.Name); t != nil {
			return t
		}
		if env.lookupVar(e.Name) != nil {
			return nil
		}
		if env.pkg != nil {
			if td, ok := env.pkg.types[e.Name]; ok {
				return in.namedType(env.pkg, e.Name, td)
			}
		}
		if basicTypes[e.Name] {
			return &TypeInfo{Kind: "basic", Name: e.Name}
		}
		return nil
	case *ast.SelectorExpr:
		id, ok := e.X.(*ast.Ident)
		if !ok || env.lookupVar(id.Name) != nil {
			return nil
		}
		path, ok := env.pkg.importPath(env.file, id.Name)
		if !ok {
			return nil
		}
		if p, _ := in.ld.Load(path); p != nil {
			if td, ok := p.types[e.Sel.Name]; ok {
				return in.namedType(p, e.Sel.Name, td)
			}
			return nil
		}
		// A package the extractor does not parse: treat exported names that are used as types
		// in the suite as types. Everything else stays a value.
		if externalTypes[shortName(path)+"."+e.Sel.Name] {
			return &TypeInfo{Kind: "named", Pkg: shortName(path), Path: path, Name: e.Sel.Name}
		}
		return nil
	case *ast.StarExpr:
		if inner := in.typeOf(e.X, env); inner != nil {
			return &TypeInfo{Kind: "ptr", Elem: inner}
		}
		return nil
	case *ast.ArrayType:
		elem := in.typeOf(e.Elt, env)
		if elem == nil {
			elem = &TypeInfo{Kind: "basic", Name: "?"}
		}
		if e.Len == nil {
			return &TypeInfo{Kind: "slice", Elem: elem}
		}
		return &TypeInfo{Kind: "array", Elem: elem}
	case *ast.MapType:
		k, v := in.typeOf(e.Key, env), in.typeOf(e.Value, env)
		if k == nil {
			k = &TypeInfo{Kind: "basic", Name: "?"}
		}
		if v == nil {
			v = &TypeInfo{Kind: "basic", Name: "?"}
		}
		return &TypeInfo{Kind: "map", Key: k, Elem: v}
	case *ast.StructType:
		return &TypeInfo{Kind: "struct", Fields: in.structFields(e, env)}
	case *ast.FuncType:
		return &TypeInfo{Kind: "func"}
	case *ast.InterfaceType:
		return &TypeInfo{Kind: "iface"}
	case *ast.IndexExpr, *ast.IndexListExpr:
		return &TypeInfo{Kind: "basic", Name: "generic"}
	}
	return nil
}

// externalTypes lists types from packages the extractor does not parse (apimachinery, grpc,
// controller-runtime) that the suite builds literals of or converts to.
var externalTypes = map[string]bool{
	"types.NamespacedName": true, "metav1.Condition": true, "metav1.ObjectMeta": true,
	"metav1.ConditionStatus": true, "metav1.LabelSelector": true, "metav1.Duration": true,
	"metav1.GroupVersion": true, "metav1.ListOptions": true, "metav1.TypeMeta": true,
	"schema.GroupKind": true, "schema.GroupVersionKind": true,
	"corev1.ConfigMap": true, "corev1.Secret": true, "corev1.Service": true, "corev1.PodList": true,
	"corev1.Pod": true, "corev1.Namespace": true, "corev1.ObjectReference": true, "corev1.ServiceAccountList": true,
	"corev1.ServiceList": true, "discoveryv1.EndpointSlice": true, "discoveryv1.EndpointSliceList": true,
	"appsv1.Deployment": true,
	"client.Object":     true, "client.ObjectKey": true, "client.MatchingLabelsSelector": true,
	"pb.EchoRequest": true, "url.Values": true, "codes.Code": true,
	"time.Duration": true, "time.Time": true,
}

// namedType builds the TypeInfo of a type declared in a parsed package, resolving struct fields
// (with json tags) so that literals of API types print with their Kubernetes field names.
func (in *Interp) namedType(p *Package, name string, td *typeDecl) *TypeInfo {
	key := p.Path + "." + name
	if t, ok := in.typeCache[key]; ok {
		return t
	}
	t := &TypeInfo{Kind: "named", Pkg: p.Short, Path: p.Path, Name: name}
	in.typeCache[key] = t // registered before resolving fields: types may be recursive
	env := &Env{pkg: p, file: td.file, scope: newScope(nil)}
	switch u := td.spec.Type.(type) {
	case *ast.StructType:
		t.Fields = in.structFields(u, env)
	case *ast.ArrayType, *ast.MapType:
		if ut := in.typeOf(u, env); ut != nil {
			t.Elem, t.Key = ut.Elem, ut.Key
			t.Fields = nil
			// Remember the underlying composite kind so elided element types still resolve.
			t.underlying = ut
		}
	}
	return t
}

func (in *Interp) structFields(st *ast.StructType, env *Env) []fieldInfo {
	var out []fieldInfo
	for _, f := range st.Fields.List {
		var jsonName string
		inline, omit := false, false
		if f.Tag != nil {
			if tag, err := strconv.Unquote(f.Tag.Value); err == nil {
				j := reflect.StructTag(tag).Get("json")
				parts := strings.Split(j, ",")
				jsonName = parts[0]
				for _, o := range parts[1:] {
					switch o {
					case "inline":
						inline = true
					case "omitempty", "omitzero":
						omit = true
					}
				}
			}
		}
		ft := in.typeOf(f.Type, env)
		if len(f.Names) == 0 {
			name := typeExprName(f.Type)
			out = append(out, fieldInfo{Name: name, JSON: jsonName, Inline: inline || jsonName == "", Embedded: true, OmitEmpty: omit, Type: ft})
			continue
		}
		for _, n := range f.Names {
			out = append(out, fieldInfo{Name: n.Name, JSON: jsonName, Inline: inline, OmitEmpty: omit, Type: ft})
		}
	}
	return out
}

// typeExprName is the field name Go gives an embedded field of type e.
func typeExprName(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.StarExpr:
		return typeExprName(e.X)
	case *ast.SelectorExpr:
		return e.Sel.Name
	case *ast.Ident:
		return e.Name
	}
	return ""
}

// elemType is the element type of a slice, array or map type, seeing through named types.
func (t *TypeInfo) elemType() *TypeInfo {
	t = t.deref()
	if t == nil {
		return nil
	}
	if t.underlying != nil {
		return t.underlying.Elem
	}
	return t.Elem
}

// isSliceLike reports whether literals of t are slices/arrays (as opposed to maps or structs).
func (t *TypeInfo) isSliceLike() bool {
	t = t.deref()
	if t == nil {
		return false
	}
	if t.underlying != nil {
		return t.underlying.Kind == "slice" || t.underlying.Kind == "array"
	}
	return t.Kind == "slice" || t.Kind == "array"
}

func (t *TypeInfo) isMap() bool {
	t = t.deref()
	if t == nil {
		return false
	}
	if t.underlying != nil {
		return t.underlying.Kind == "map"
	}
	return t.Kind == "map" || (t.Kind == "named" && t.Pkg == "url" && t.Name == "Values")
}
