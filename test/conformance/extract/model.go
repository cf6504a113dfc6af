package main

import (
	"go/token"
	"strings"
)

// Document is the JSON the extractor prints. README.md documents every field.
type Document struct {
	SchemaVersion int               `json:"schemaVersion"`
	Generator     string            `json:"generator"`
	Sources       []ModuleSource    `json:"sources"`
	Features      *OMap             `json:"features"`
	Tests         []*TestOut        `json:"tests"`
	Unanalysed    []Unanalysed      `json:"unanalysed"`
	Unresolved    []UnresolvedEntry `json:"unresolved"`
	Totals        Totals            `json:"totals"`
}

type ModuleSource struct {
	Module  string `json:"module"`
	Version string `json:"version"`
	Dir     string `json:"dir"`
}

type TestOut struct {
	ShortName    string  `json:"shortName"`
	Variable     string  `json:"variable"`
	Description  string  `json:"description"`
	Position     string  `json:"position"`
	Mesh         bool    `json:"mesh"`
	Registered   bool    `json:"registered"`
	Features     []any   `json:"features"`
	Provisional  bool    `json:"provisional"`
	Parallel     bool    `json:"parallel"`
	Slow         bool    `json:"slow"`
	Manifests    []any   `json:"manifests"`
	TestBodyFrom string  `json:"testBodyFrom,omitempty"`
	Analysed     bool    `json:"analysed"`
	Steps        []*Step `json:"steps"`
	Counts       Counts  `json:"counts"`
	coreHTTP     bool
	failure      string
}

// Step is one thing a test does, in source order.
type Step struct {
	Kind       string          `json:"kind"`
	Position   string          `json:"position"`
	Subtest    []string        `json:"subtest"`
	Literal    string          `json:"literal,omitempty"`
	Helper     string          `json:"helper,omitempty"`
	Conditions []StepCondition `json:"conditions,omitempty"`
	Loops      []LoopInfo      `json:"loops,omitempty"`
	Expect     string          `json:"expect,omitempty"`
	Address    any             `json:"address,omitempty"`
	Case       any             `json:"case,omitempty"`
	Args       *OMap           `json:"args,omitempty"`
	Mutation   *Mutation       `json:"mutation,omitempty"`
	Weights    any             `json:"weights,omitempty"`
	SampleKind string          `json:"sampleKind,omitempty"`
	Sample     any             `json:"sample,omitempty"`
	Via        []string        `json:"via,omitempty"`
	Seconds    float64         `json:"seconds,omitempty"`
	Source     string          `json:"source,omitempty"`
	Reason     string          `json:"reason,omitempty"`

	request *madeRequest // the http.MakeRequest result a raw round trip used
}

// StepCondition says the step only runs when the Go condition Source evaluates to Value. When
// the condition is a feature check, Feature and FeatureSupported say the same thing plainly.
type StepCondition struct {
	Source           string `json:"source"`
	Value            bool   `json:"value"`
	Feature          string `json:"feature,omitempty"`
	FeatureSupported *bool  `json:"featureSupported,omitempty"`
}

// negate returns the condition for the other branch.
func (c StepCondition) negate() StepCondition {
	c.Value = !c.Value
	if c.FeatureSupported != nil {
		b := !*c.FeatureSupported
		c.FeatureSupported = &b
	}
	return c
}

// LoopInfo annotates steps inside a loop the extractor did not unroll.
type LoopInfo struct {
	Kind     string `json:"kind"`
	Count    int64  `json:"count,omitempty"`
	Source   string `json:"source"`
	Position string `json:"position"`
}

type Unanalysed struct {
	ShortName string `json:"shortName"`
	Position  string `json:"position"`
	Reason    string `json:"reason"`
}

type UnresolvedEntry struct {
	Test     string `json:"test"`
	Kind     string `json:"kind"`
	Position string `json:"position"`
	Source   string `json:"source"`
	Reason   string `json:"reason,omitempty"`
}

// Counts tallies steps of one test or of a group of tests.
type Counts struct {
	HTTPRequests        int `json:"httpRequests"`
	HTTPRequestLiterals int `json:"httpRequestLiterals"`
	GRPCRequests        int `json:"grpcRequests"`
	GRPCRequestLiterals int `json:"grpcRequestLiterals"`
	TCPRequests         int `json:"tcpRequests"`
	UDPRequests         int `json:"udpRequests"`
	HTTPRoundTrips      int `json:"httpRoundTrips"`
	WeightDistributions int `json:"weightDistributions"`
	StatusAssertions    int `json:"statusAssertions"`
	Mutations           int `json:"mutations"`
	GoAssertions        int `json:"goAssertions"`
	Calls               int `json:"calls"`
	Skips               int `json:"skips"`
	Sleeps              int `json:"sleeps"`
	Unresolved          int `json:"unresolved"`
}

type Totals struct {
	Tests                int    `json:"tests"`
	GatewayTests         int    `json:"gatewayTests"`
	MeshTests            int    `json:"meshTests"`
	ProvisionalTests     int    `json:"provisionalTests"`
	AnalysedTests        int    `json:"analysedTests"`
	UnanalysedTests      int    `json:"unanalysedTests"`
	CoreGatewayHTTPTests int    `json:"coreGatewayHttpTests"`
	RequestTests         int    `json:"requestTests"`
	StatusOnlyTests      int    `json:"statusOnlyTests"`
	TestsWithUnresolved  int    `json:"testsWithUnresolved"`
	Gateway              Counts `json:"gateway"`
	Mesh                 Counts `json:"mesh"`
	Helpers              *OMap  `json:"helpers"`
}

// emit records a step at p with the current subtest path, conditions and loops. Inside a weight
// sender the step is folded into the sender's sample instead.
func (in *Interp) emit(s *Step, p token.Pos) {
	s.Position = in.pos(p)
	s.Subtest = append([]string{}, in.st.subtest...)
	if len(in.st.conds) > 0 {
		s.Conditions = append([]StepCondition(nil), in.st.conds...)
	}
	if len(in.st.loops) > 0 {
		s.Loops = append([]LoopInfo(nil), in.st.loops...)
	}
	if c := in.st.capture; c != nil {
		switch s.Kind {
		case "httpRequest", "httpRoundTrip", "grpcRequest", "tcpRequest", "udpRequest":
			c.sample = s.Case
			c.kind = map[string]string{"httpRoundTrip": "http", "httpRequest": "http", "grpcRequest": "grpc", "tcpRequest": "tcp", "udpRequest": "udp"}[s.Kind]
			if s.Address != nil {
				c.address = s.Address
			}
		}
		if s.Address != nil && c.address == nil {
			c.address = s.Address
		}
		if c.kind == "" && s.Helper != "" {
			if pkg := strings.SplitN(s.Helper, ".", 2)[0]; pkg == "tcp" || pkg == "udp" {
				c.kind = pkg
			}
		}
		for _, v := range s.Via {
			c.via = appendUnique(c.via, v)
		}
		if s.Helper != "" {
			c.via = appendUnique(c.via, s.Helper)
		}
		return
	}
	in.st.steps = append(in.st.steps, s)
}
