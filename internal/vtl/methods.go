package vtl

import (
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// callMethod invokes a Java method on a value. An unknown method (or wrong
// argument types) yields null, as Velocity's introspection does; an
// exception a Java method would throw (index out of bounds, bad regex...)
// is returned as an error.
func (s *state) callMethod(recv Value, name string, args []Value, pos int) (Value, error) {
	switch x := recv.(type) {
	case string:
		return s.stringMethod(x, name, args, pos)
	case *Map:
		return s.mapMethod(x, name, args, pos)
	case *List:
		return s.listMethod(x, name, args, pos)
	case int64, float64:
		return numberMethod(x, name, args), nil
	case bool:
		switch name {
		case "toString":
			if len(args) == 0 {
				return ToString(x), nil
			}
		case "booleanValue":
			if len(args) == 0 {
				return x, nil
			}
		case "equals":
			if len(args) == 1 {
				return javaEquals(x, args[0]), nil
			}
		}
	case Object:
		v, ok, err := x.Method(name, args)
		if err != nil {
			return nil, s.errorf(pos, "%s", err.Error())
		}
		if !ok {
			if name == "toString" && len(args) == 0 {
				return x.String(), nil
			}
			return nil, nil
		}
		return v, nil
	case *foreachScope:
		if len(args) == 0 {
			switch name {
			case "getIndex", "index":
				return int64(x.index), nil
			case "getCount", "count":
				return int64(x.index + 1), nil
			case "hasNext", "getHasNext":
				return x.hasNext, nil
			case "isFirst":
				return x.index == 0, nil
			case "isLast":
				return !x.hasNext, nil
			case "getParent":
				return x.parent, nil
			}
		}
	case *entry:
		if len(args) == 0 {
			switch name {
			case "getKey":
				return x.key, nil
			case "getValue":
				return x.val, nil
			case "toString":
				return ToString(x), nil
			}
		}
	case *block:
		if name == "toString" && len(args) == 0 {
			return x.String(), nil
		}
	}
	return nil, nil
}

func numberMethod(x Value, name string, args []Value) Value {
	if len(args) == 0 {
		switch name {
		case "toString":
			return ToString(x)
		case "intValue":
			return intValue(x)
		case "longValue":
			if f, ok := x.(float64); ok {
				return int64(f)
			}
			return x
		case "doubleValue", "floatValue":
			return toFloat(x)
		case "hashCode":
			if i, ok := x.(int64); ok {
				return int64(int32(i))
			}
		}
		return nil
	}
	if len(args) == 1 {
		switch name {
		case "equals":
			return javaEquals(x, args[0])
		case "compareTo":
			if isNumber(args[0]) {
				return int64(compareNumbers(x, args[0]))
			}
		}
	}
	return nil
}

// --- java.lang.String ------------------------------------------------------

// jstring gives UTF-16 indexing (Java's char indexes) over a Go string.
type jstring struct {
	s     string
	ascii bool
	u     []uint16
}

func newJString(s string) *jstring {
	j := &jstring{s: s, ascii: true}
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			j.ascii = false
			j.u = utf16.Encode([]rune(s))
			break
		}
	}
	return j
}

func (j *jstring) len() int {
	if j.ascii {
		return len(j.s)
	}
	return len(j.u)
}

func (j *jstring) slice(b, e int) string {
	if j.ascii {
		return j.s[b:e]
	}
	return string(utf16.Decode(j.u[b:e]))
}

// toIndex converts a byte offset into a UTF-16 index.
func (j *jstring) toIndex(byteOff int) int {
	if j.ascii || byteOff < 0 {
		return byteOff
	}
	return len(utf16.Encode([]rune(j.s[:byteOff])))
}

// toByte converts a UTF-16 index into a byte offset.
func (j *jstring) toByte(idx int) int {
	if j.ascii {
		return idx
	}
	return len(string(utf16.Decode(j.u[:idx])))
}

func argString(args []Value, i int) (string, bool) {
	if i >= len(args) {
		return "", false
	}
	s, ok := args[i].(string)
	return s, ok
}

func argInt(args []Value, i int) (int, bool) {
	if i >= len(args) {
		return 0, false
	}
	n, ok := args[i].(int64)
	return int(n), ok
}

// argStringOrChar reads a String argument or an int one standing for a
// char, as String.indexOf(int ch) takes.
func argStringOrChar(args []Value, i int) (string, bool) {
	if a, ok := argString(args, i); ok {
		return a, true
	}
	c, ok := argInt(args, i)
	return string(rune(c)), ok
}

func (s *state) checkLen(n int, pos int) error {
	if n > s.opts.MaxOutputSize {
		return s.limitf(pos, "string exceeds %d bytes", s.opts.MaxOutputSize)
	}
	return nil
}

func (s *state) stringMethod(str string, name string, args []Value, pos int) (Value, error) {
	switch len(args) {
	case 0:
		switch name {
		case "length":
			return int64(newJString(str).len()), nil
		case "isEmpty":
			return len(str) == 0, nil
		case "trim":
			return strings.TrimFunc(str, func(r rune) bool { return r <= ' ' }), nil
		case "toLowerCase":
			return strings.ToLower(str), nil
		case "toUpperCase":
			return strings.ToUpper(str), nil
		case "toString", "intern":
			return str, nil
		case "hashCode":
			var h int32
			for _, c := range utf16.Encode([]rune(str)) {
				h = 31*h + int32(c)
			}
			return int64(h), nil
		}
	case 1:
		switch name {
		case "equals":
			return javaEquals(str, args[0]), nil
		case "equalsIgnoreCase":
			if a, ok := args[0].(string); ok {
				return strings.EqualFold(str, a), nil
			}
			return false, nil
		case "contains":
			if a, ok := argString(args, 0); ok {
				return strings.Contains(str, a), nil
			}
		case "startsWith":
			if a, ok := argString(args, 0); ok {
				return strings.HasPrefix(str, a), nil
			}
		case "endsWith":
			if a, ok := argString(args, 0); ok {
				return strings.HasSuffix(str, a), nil
			}
		case "concat":
			if a, ok := argString(args, 0); ok {
				if err := s.checkLen(len(str)+len(a), pos); err != nil {
					return nil, err
				}
				return str + a, nil
			}
		case "indexOf", "lastIndexOf":
			a, ok := argStringOrChar(args, 0)
			if !ok {
				return nil, nil
			}
			j := newJString(str)
			var i int
			if name == "indexOf" {
				i = strings.Index(str, a)
			} else {
				i = strings.LastIndex(str, a)
			}
			return int64(j.toIndex(i)), nil
		case "substring":
			b, ok := argInt(args, 0)
			if !ok {
				return nil, nil
			}
			j := newJString(str)
			if b < 0 || b > j.len() {
				return nil, s.errorf(pos, "String index out of range: %d", b)
			}
			return j.slice(b, j.len()), nil
		case "charAt":
			i, ok := argInt(args, 0)
			if !ok {
				return nil, nil
			}
			j := newJString(str)
			if i < 0 || i >= j.len() {
				return nil, s.errorf(pos, "String index out of range: %d", i)
			}
			return j.slice(i, i+1), nil
		case "matches":
			re, ok := argString(args, 0)
			if !ok {
				return nil, nil
			}
			rx, err := compileJavaRegex(re, true)
			if err != nil {
				return nil, s.errorf(pos, "%v", err)
			}
			return rx.MatchString(str), nil
		case "split":
			re, ok := argString(args, 0)
			if !ok {
				return nil, nil
			}
			return s.split(str, re, 0, pos)
		case "compareTo":
			if a, ok := argString(args, 0); ok {
				return int64(javaCompare(str, a)), nil
			}
		}
	case 2:
		switch name {
		case "substring":
			b, ok1 := argInt(args, 0)
			e, ok2 := argInt(args, 1)
			if !ok1 || !ok2 {
				return nil, nil
			}
			j := newJString(str)
			if b < 0 || e > j.len() || b > e {
				return nil, s.errorf(pos, "String index out of range: begin %d, end %d, length %d", b, e, j.len())
			}
			return j.slice(b, e), nil
		case "indexOf", "lastIndexOf":
			a, ok := argStringOrChar(args, 0)
			if !ok {
				return nil, nil
			}
			from, ok := argInt(args, 1)
			if !ok {
				return nil, nil
			}
			j := newJString(str)
			if name == "indexOf" {
				if from < 0 {
					from = 0
				}
				if from > j.len() {
					return int64(-1), nil
				}
				off := j.toByte(from)
				i := strings.Index(str[off:], a)
				if i < 0 {
					return int64(-1), nil
				}
				return int64(j.toIndex(off + i)), nil
			}
			if from < 0 {
				return int64(-1), nil
			}
			end := from + newJString(a).len()
			if end > j.len() {
				end = j.len()
			}
			i := strings.LastIndex(str[:j.toByte(end)], a)
			return int64(j.toIndex(i)), nil
		case "startsWith":
			a, ok1 := argString(args, 0)
			off, ok2 := argInt(args, 1)
			if !ok1 || !ok2 {
				return nil, nil
			}
			j := newJString(str)
			if off < 0 || off > j.len() {
				return false, nil
			}
			return strings.HasPrefix(str[j.toByte(off):], a), nil
		case "replace":
			a, ok1 := argString(args, 0)
			b, ok2 := argString(args, 1)
			if !ok1 || !ok2 {
				return nil, nil
			}
			if a == "" {
				// Java inserts the replacement between every char
				var sb strings.Builder
				sb.WriteString(b)
				for _, r := range str {
					sb.WriteRune(r)
					sb.WriteString(b)
					if sb.Len() > s.opts.MaxOutputSize {
						return nil, s.checkLen(sb.Len(), pos)
					}
				}
				return sb.String(), nil
			}
			if c := strings.Count(str, a); c > 0 && len(b) > len(a) {
				if err := s.checkLen(len(str)+c*(len(b)-len(a)), pos); err != nil {
					return nil, err
				}
			}
			return strings.ReplaceAll(str, a, b), nil
		case "replaceAll", "replaceFirst":
			re, ok1 := argString(args, 0)
			repl, ok2 := argString(args, 1)
			if !ok1 || !ok2 {
				return nil, nil
			}
			out, err := javaReplace(str, re, repl, name == "replaceAll", s.opts.MaxOutputSize)
			if err != nil {
				return nil, s.errorf(pos, "%v", err)
			}
			return out, nil
		case "split":
			re, ok1 := argString(args, 0)
			limit, ok2 := argInt(args, 1)
			if !ok1 || !ok2 {
				return nil, nil
			}
			return s.split(str, re, limit, pos)
		}
	}
	return nil, nil
}

func javaCompare(a, b string) int {
	ua, ub := utf16.Encode([]rune(a)), utf16.Encode([]rune(b))
	n := min(len(ua), len(ub))
	for i := 0; i < n; i++ {
		if ua[i] != ub[i] {
			return int(ua[i]) - int(ub[i])
		}
	}
	return len(ua) - len(ub)
}

func (s *state) split(str, re string, limit int, pos int) (Value, error) {
	parts, err := javaSplit(str, re, limit)
	if err != nil {
		return nil, s.errorf(pos, "%v", err)
	}
	l := &List{Items: make([]Value, len(parts))}
	for i, p := range parts {
		l.Items[i] = p
	}
	return l, nil
}

// --- java.util.Map ---------------------------------------------------------

func (s *state) mapMethod(m *Map, name string, args []Value, pos int) (Value, error) {
	switch len(args) {
	case 0:
		switch name {
		case "size":
			return int64(m.Len()), nil
		case "isEmpty":
			return m.Len() == 0, nil
		case "keySet":
			return &List{Items: append([]Value(nil), m.keys...)}, nil
		case "values":
			return &List{Items: append([]Value(nil), m.vals...)}, nil
		case "entrySet":
			l := &List{Items: make([]Value, len(m.keys))}
			for i, k := range m.keys {
				l.Items[i] = &entry{key: k, val: m.vals[i]}
			}
			return l, nil
		case "clear":
			m.Clear()
			return nil, nil
		case "toString":
			return ToString(m), nil
		case "hashCode":
			return nil, nil
		}
	case 1:
		switch name {
		case "get":
			v, _ := m.Get(args[0])
			return v, nil
		case "containsKey":
			_, ok := m.Get(args[0])
			return ok, nil
		case "containsValue":
			return indexEqual(m.vals, args[0]) >= 0, nil
		case "remove":
			return m.Remove(args[0]), nil
		case "putAll":
			src, ok := args[0].(*Map)
			if !ok {
				return nil, nil
			}
			keys, vals := append([]Value(nil), src.keys...), append([]Value(nil), src.vals...)
			for i, k := range keys {
				m.Put(k, vals[i])
			}
			return nil, nil
		case "equals":
			return javaEquals(m, args[0]), nil
		}
	case 2:
		switch name {
		case "put":
			return m.Put(args[0], args[1]), nil
		case "getOrDefault":
			if v, ok := m.Get(args[0]); ok {
				return v, nil
			}
			return args[1], nil
		case "putIfAbsent":
			if v, ok := m.Get(args[0]); ok && v != nil {
				return v, nil
			}
			m.Put(args[0], args[1])
			return nil, nil
		}
	}
	return nil, nil
}

// --- java.util.List --------------------------------------------------------

// indexEqual returns the index of the first item that v equals (Java
// equals()), or -1.
func indexEqual(items []Value, v Value) int {
	for i, e := range items {
		if javaEquals(v, e) {
			return i
		}
	}
	return -1
}

func (s *state) listMethod(l *List, name string, args []Value, pos int) (Value, error) {
	bounds := func(i, n int) error {
		return s.errorf(pos, "Index %d out of bounds for length %d", i, n)
	}
	switch len(args) {
	case 0:
		switch name {
		case "size":
			return int64(len(l.Items)), nil
		case "isEmpty":
			return len(l.Items) == 0, nil
		case "clear":
			l.Items = l.Items[:0]
			return nil, nil
		case "toString":
			return ToString(l), nil
		}
	case 1:
		switch name {
		case "get":
			i, ok := argInt(args, 0)
			if !ok {
				return nil, nil
			}
			if i < 0 || i >= len(l.Items) {
				return nil, bounds(i, len(l.Items))
			}
			return l.Items[i], nil
		case "add":
			if len(l.Items) >= s.opts.MaxRangeSize*10 {
				return nil, s.limitf(pos, "list exceeds %d elements", s.opts.MaxRangeSize*10)
			}
			l.Items = append(l.Items, args[0])
			return true, nil
		case "addAll":
			src, ok := args[0].(*List)
			if !ok {
				return nil, nil
			}
			if len(l.Items)+len(src.Items) > s.opts.MaxRangeSize*10 {
				return nil, s.limitf(pos, "list exceeds %d elements", s.opts.MaxRangeSize*10)
			}
			l.Items = append(l.Items, src.Items...)
			return len(src.Items) > 0, nil
		case "contains":
			return indexEqual(l.Items, args[0]) >= 0, nil
		case "indexOf":
			return int64(indexEqual(l.Items, args[0])), nil
		case "lastIndexOf":
			idx := -1
			for i, v := range l.Items {
				if javaEquals(args[0], v) {
					idx = i
				}
			}
			return int64(idx), nil
		case "remove":
			if i, ok := args[0].(int64); ok {
				// remove(int index)
				if i < 0 || int(i) >= len(l.Items) {
					return nil, bounds(int(i), len(l.Items))
				}
				old := l.Items[i]
				l.Items = append(l.Items[:i], l.Items[i+1:]...)
				return old, nil
			}
			if i := indexEqual(l.Items, args[0]); i >= 0 {
				l.Items = append(l.Items[:i], l.Items[i+1:]...)
				return true, nil
			}
			return false, nil
		case "equals":
			return javaEquals(l, args[0]), nil
		}
	case 2:
		switch name {
		case "set":
			i, ok := argInt(args, 0)
			if !ok {
				return nil, nil
			}
			if i < 0 || i >= len(l.Items) {
				return nil, bounds(i, len(l.Items))
			}
			old := l.Items[i]
			l.Items[i] = args[1]
			return old, nil
		case "add":
			i, ok := argInt(args, 0)
			if !ok {
				return nil, nil
			}
			if i < 0 || i > len(l.Items) {
				return nil, bounds(i, len(l.Items))
			}
			l.Items = append(l.Items, nil)
			copy(l.Items[i+1:], l.Items[i:])
			l.Items[i] = args[1]
			return nil, nil
		case "subList":
			b, ok1 := argInt(args, 0)
			e, ok2 := argInt(args, 1)
			if !ok1 || !ok2 {
				return nil, nil
			}
			if b < 0 || e > len(l.Items) || b > e {
				return nil, bounds(b, len(l.Items))
			}
			return &List{Items: append([]Value(nil), l.Items[b:e]...)}, nil
		}
	}
	return nil, nil
}
