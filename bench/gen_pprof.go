// gen_pprof writes a big Go-like heap profile for `npm run bench` (section pprof): four sample
// types in Go's order, stacks 8–40 deep drawn from a few thousand functions with inlined
// lines, a numeric `bytes` label per sample, packed repeats as the Go runtime writes them.
// The standard library only, so it builds offline.
//
//	go run bench/gen_pprof.go OUT.pb.gz [SAMPLES]
package main

import (
	"compress/gzip"
	"fmt"
	"math/rand"
	"os"
	"strconv"
)

type buf struct{ b []byte }

func (w *buf) varint(x uint64) {
	for x >= 0x80 {
		w.b = append(w.b, byte(x)|0x80)
		x >>= 7
	}
	w.b = append(w.b, byte(x))
}
func (w *buf) tag(field, wire int)    { w.varint(uint64(field<<3 | wire)) }
func (w *buf) int(field int, x int64) { w.tag(field, 0); w.varint(uint64(x)) }
func (w *buf) bytes(field int, b []byte) {
	w.tag(field, 2)
	w.varint(uint64(len(b)))
	w.b = append(w.b, b...)
}

// packed as runtime/pprof writes it: packed when more than two, one field each otherwise.
func (w *buf) packed(field int, xs []uint64) {
	if len(xs) <= 2 {
		for _, x := range xs {
			w.int(field, int64(x))
		}
		return
	}
	var inner buf
	for _, x := range xs {
		inner.varint(x)
	}
	w.bytes(field, inner.b)
}

func main() {
	out := os.Args[1]
	samples := 220000
	if len(os.Args) > 2 {
		samples, _ = strconv.Atoi(os.Args[2])
	}
	r := rand.New(rand.NewSource(42))
	strs := []string{""}
	index := map[string]int64{"": 0}
	str := func(s string) int64 {
		if i, ok := index[s]; ok {
			return i
		}
		index[s] = int64(len(strs))
		strs = append(strs, s)
		return index[s]
	}
	var p buf
	for _, t := range [][2]string{{"alloc_objects", "count"}, {"alloc_space", "bytes"}, {"inuse_objects", "count"}, {"inuse_space", "bytes"}} {
		var vt buf
		vt.int(1, str(t[0]))
		vt.int(2, str(t[1]))
		p.bytes(1, vt.b)
	}

	const nFunc = 6000
	const nLoc = 40000
	for f := 1; f <= nFunc; f++ {
		pkg := fmt.Sprintf("example.com/service/pkg%02d", f%60)
		var fn buf
		fn.int(1, int64(f))
		name := fmt.Sprintf("%s.(*Type%d).Method%d", pkg, f%97, f)
		if f%3 == 0 {
			name = fmt.Sprintf("%s.func%d", pkg, f)
		}
		fn.int(2, str(name))
		fn.int(3, str(name))
		fn.int(4, str(fmt.Sprintf("%s/file%d.go", pkg, f%13)))
		fn.int(5, int64(10+f%500))
		p.bytes(5, fn.b)
	}
	for l := 1; l <= nLoc; l++ {
		var loc buf
		loc.int(1, int64(l))
		loc.int(2, 1)
		loc.int(3, int64(0x401000+l*16))
		lines := 1 + r.Intn(4)/3 // a quarter of the locations have an inlined callee
		for k := 0; k < lines; k++ {
			var ln buf
			ln.int(1, int64(1+r.Intn(nFunc)))
			ln.int(2, int64(1+r.Intn(2000)))
			loc.bytes(4, ln.b)
		}
		p.bytes(4, loc.b)
	}
	// Stacks share prefixes, as real ones do: a few hundred roots, then random descents.
	roots := make([][]uint64, 400)
	for i := range roots {
		depth := 4 + r.Intn(8)
		for d := 0; d < depth; d++ {
			roots[i] = append(roots[i], uint64(1+r.Intn(nLoc)))
		}
	}
	sizes := []int64{8, 16, 24, 32, 48, 64, 96, 128, 256, 512, 1024, 4096, 32768}
	for s := 0; s < samples; s++ {
		root := roots[int(r.ExpFloat64()*60)%len(roots)]
		depth := 4 + r.Intn(29)
		stack := make([]uint64, 0, depth+len(root))
		for d := 0; d < depth; d++ {
			stack = append(stack, uint64(1+int(r.ExpFloat64()*4000)%nLoc))
		}
		stack = append(stack, root...) // leaf first, root last
		size := sizes[r.Intn(len(sizes))]
		objects := int64(1 + r.Intn(200))
		inuse := objects * int64(r.Intn(3)) / 2
		var smp buf
		smp.packed(1, stack)
		smp.packed(2, []uint64{uint64(objects), uint64(objects * size), uint64(inuse), uint64(inuse * size)})
		var label buf
		label.int(1, str("bytes"))
		label.int(3, size)
		smp.bytes(3, label.b)
		p.bytes(2, smp.b)
	}
	var m buf
	m.int(1, 1)
	m.int(2, 0x400000)
	m.int(3, 0x4000000)
	m.int(5, str("/usr/local/bin/service"))
	m.int(7, 1)
	m.int(8, 1)
	m.int(9, 1)
	m.int(10, 1)
	p.bytes(3, m.b)
	var pt buf
	pt.int(1, str("space"))
	pt.int(2, str("bytes"))
	p.bytes(11, pt.b)
	p.int(12, 524288)
	p.int(9, 1700000000000000000)
	for _, s := range strs {
		p.bytes(6, []byte(s))
	}

	f, err := os.Create(out)
	if err != nil {
		panic(err)
	}
	z := gzip.NewWriter(f)
	if _, err := z.Write(p.b); err != nil {
		panic(err)
	}
	if err := z.Close(); err != nil {
		panic(err)
	}
	f.Close()
	fmt.Fprintf(os.Stderr, "wrote %s: %d samples, %.1f MB before gzip\n", out, samples, float64(len(p.b))/(1<<20))
}
