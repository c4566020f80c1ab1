package velocitydiff

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// testCase is one template of the differential corpus. ctx, when set,
// replaces the shared context (JSON object).
type testCase struct {
	name string
	tmpl string
	ctx  string
}

// sharedContext is the JSON context used by most cases.
const sharedContext = `{
 "s": "Hello World", "n": 3, "neg": -7, "big": 2147483647, "d": 2.5, "z": 0, "e": "",
 "t": true, "f": false, "l": [1, 2, 3], "ls": ["a", "b", "c"], "empty": [],
 "mixed": [1, "two", 3.5, true, null],
 "m": {"a": 1, "b": "two", "c": [1, 2], "d": {"x": "y"}},
 "items": [
   {"id": 1, "name": "cat", "price": 12.5, "tags": ["a", "b"], "ok": true},
   {"id": 2, "name": "dog", "price": 20, "tags": [], "ok": false},
   {"id": 3, "name": "fish", "price": 0.99, "tags": ["c"], "ok": true}
 ],
 "csv": "a,b,,c,,", "ws": "  padded  ", "mc": "HeLLo", "num": "42",
 "url": "http://x.com/a b?c=d&e=f", "path": "/pets/{petId}/toys",
 "uni": "caf\u00e9 \u00fcber", "q": "say \"hi\" it's", "nested": {"a": {"b": {"c": "deep"}}},
 "long": 9000000000, "pi": 3.14159, "tiny": 0.0001, "huge": 12345678.9,
 "emptyMap": {}, "matrix": [[1, 2], [3, 4]]
}`

// corpus returns the differential test corpus.
func corpus() []testCase {
	var cs []testCase
	add := func(group string, tmpls ...string) {
		for i, t := range tmpls {
			cs = append(cs, testCase{name: fmt.Sprintf("%s/%02d", group, i), tmpl: t})
		}
	}
	addCtx := func(group, ctx string, tmpls ...string) {
		for i, t := range tmpls {
			cs = append(cs, testCase{name: fmt.Sprintf("%s/%02d", group, i), tmpl: t, ctx: ctx})
		}
	}

	add("text",
		"",
		"plain text",
		"line1\nline2\r\nline3\n",
		"unicode: caf\u00e9 \u2603 \U0001F600",
		"{ \"json\": [1, 2] }",
		"100% sure & (parens) [brackets] {braces}",
		"a $ b # c \\ d",
		"trailing $",
		"trailing #",
		"price: $5.00 and #1",
		"email me@example.com $",
		"$$ and ## nothing",
	)

	add("ref",
		"$s",
		"${s}",
		"$!s",
		"$!{s}",
		"$undefined",
		"${undefined}",
		"$!undefined",
		"$!{undefined}",
		"[$s][$n][$d][$t][$f][$z][$e]",
		"$l $ls $empty $mixed",
		"$m",
		"$items",
		"$nested.a.b.c",
		"$nested.a.x.c",
		"$m.a $m.b $m.c $m.d $m.d.x $m.zz",
		"${m.a}x${m.b}y",
		"$s.length()x",
		"$s.",
		"$s..",
		"$s.1",
		"$s-x",
		"$s_x",
		"$s[0]",
		"$l[0] $l[1] $l[2]",
		"$l[-1] $l[-3]",
		"$m[\"a\"] $m['b'] $m[\"nope\"]",
		"$items[0].name $items[2].tags[0]",
		"$matrix[1][0]",
		"$items.get(1).name",
		"$m.get('d').get('x')",
		"${items[1].name}",
		"$foo.bar.baz",
		"$!foo.bar.baz",
		"$n$n$n",
		"${n}px",
		"$n px",
		"#$s",
		"$$s",
		"$ {s}",
		"${ s}",
		"$.s",
		"$[s]",
		"$s.toUpperCase().toLowerCase().length()",
		"$long $big $neg $pi $tiny $huge",
		"$uni $q",
		"$emptyMap",
		"$m.keySet() $m.values()",
	)

	add("escape",
		"\\$s",
		"\\$undefined",
		"\\\\$s",
		"\\\\$undefined",
		"\\\\\\$s",
		"\\\\\\$undefined",
		"\\$!s",
		"\\$!undefined",
		"\\${s}",
		"\\${undefined}",
		"\\#if(true)x\\#end",
		"\\#set($a = 1)$a",
		"\\#foreach",
		"\\#end",
		"\\#else",
		"\\#hello",
		"\\\\#if(true)x#end",
		"\\\\\\#if(true)x\\#end",
		"\\\\#hello",
		"a\\b\\\\c",
		"\\",
		"\\\\",
		"\\ $s \\",
		"\\#{if}",
		"#[[ $s #if(true) ## not a comment ]]#",
		"before#[[#foreach($x in $l)$x#end]]#after",
		"\\#macro",
		"$s\\",
	)

	add("comment",
		"a ## comment\nb",
		"a ## comment",
		"## whole line\nb",
		"a #* block *# b",
		"a #* multi\nline\n*# b",
		"a #** doc *# b",
		"#* c *#\nnext",
		"x## c\r\ny",
		"  ## indented comment\n  text",
		"$s## comment\n$n",
		"#if(true)## c\nyes#end",
	)

	add("set",
		"#set($a = 1)$a",
		"#set( $a = \"str\" )$a",
		"#set($a = 'single $s')$a",
		"#set($a = \"double $s\")$a",
		"#set($a = \"$undefined\")$a",
		"#set($a = \"${s}!\")$a",
		"#set($a = $s)$a",
		"#set($a = $undefined)$a",
		"#set($a = 1)#set($a = $undefined)$a",
		"#set($a = true)$a #set($a = false)$a",
		"#set($a = [1, 'b', \"c\", 2.5, true])$a",
		"#set($a = [])$a $a.size()",
		"#set($a = {})$a",
		"#set($a = {\"k\": \"v\", \"n\": 1})$a $a.k $a.n",
		"#set($a = {'x' : [1,2], \"y\" : {\"z\" : 1}})$a $a.y.z",
		"#set($a = [1..5])$a",
		"#set($a = [5..1])$a",
		"#set($a = [-2..2])$a",
		"#set($a = [$n..6])$a",
		"#set($a = [0..0])$a",
		"#set($m.new = 'added')$m",
		"#set($m.a = 99)$m.a",
		"#set($l[0] = 'first')$l",
		"#set($m['k'] = 5)$m.k",
		"#set($nested.a.b.c = 'changed')$nested",
		"#set($x.y = 1)$x",
		"#set($a = $m.zz)$a",
		"#set($a=1)#set($b=$a)#set($a=2)$a$b",
		"#set($a = $l)#set($dummy = $a.add(4))$l",
		"#set($a = \"#if(true)inner#end\")$a",
		"#set($a = \"a\"\"b\")$a",
		"#set($a = 'it''s')$a",
		"#set($a = \"multi\nline\")$a",
		"#set($a = \"tab\\there\")$a",
		"#set($a = \"\\u0041\\u00e9\")$a",
		"#set($a = \"$s ## not comment\")$a|",
		"#set($a = \"end$\")$a",
		"#{set}($a = 5)$a",
		"#set ($a = 6)$a",
		"#set(  $a   =   7  )$a",
		"#set($a = \"x\")#set($a = \"$a$a\")#set($a = \"$a$a\")$a",
		"#set($a = $s.substring(0, 5))$a",
		"#set($!a = 1)$a",
		"#set(${a} = 2)$a",
		"#set($a = ($n))$a",
		"#set($a = $m.c)#set($a[0] = 'x')$m.c",
		"#set($a = { $s : $n })$a",
		"#set($a = [$s, $undefined, $n])$a",
		"#set($a = \"$m.b and $m.c[1]\")$a",
	)

	add("arith",
		"#set($a = 1 + 2)$a",
		"#set($a = 7 - 10)$a",
		"#set($a = 6 * 7)$a",
		"#set($a = 7 / 2)$a",
		"#set($a = -7 / 2)$a",
		"#set($a = 7 % 3)$a",
		"#set($a = -7 % 3)$a",
		"#set($a = 7.0 / 2)$a",
		"#set($a = 1 / 3.0)$a",
		"#set($a = 2.5 * 2)$a",
		"#set($a = 0.1 + 0.2)$a",
		"#set($a = 1 / 0)$a",
		"#set($a = 1 % 0)$a",
		"#set($a = 1.0 / 0)$a",
		"#set($a = 'x')#set($a = 5 / 0)$a",
		"#set($a = $n + 1)$a",
		"#set($a = $n * $d)$a",
		"#set($a = $big + 1)$a",
		"#set($a = $big * 2)$a",
		"#set($a = $long * 2)$a",
		"#set($a = $n + 'x')$a",
		"#set($a = 'x' + $n)$a",
		"#set($a = 'a' + 'b')$a",
		"#set($a = $s + ' ' + $n + ' ' + $d)$a",
		"#set($a = $undefined + 'x')$a",
		"#set($a = 'x' + $undefined)$a",
		"#set($a = $undefined + 1)$a",
		"#set($a = $n + $undefined)$a",
		"#set($a = $t + 1)$a",
		"#set($a = 'x' - 1)$a",
		"#set($a = $l + 'x')$a",
		"#set($a = 2 + 3 * 4)$a",
		"#set($a = (2 + 3) * 4)$a",
		"#set($a = 10 - 2 - 3)$a",
		"#set($a = 100 / 10 / 5)$a",
		"#set($a = 2 * (3 + (4 - 1)))$a",
		"#set($a = $n - 1)$a",
		"#set($a = 1.5e3)$a",
		"#set($a = 1e-5)$a",
		"#set($a = 12345678.0 * 10)$a",
		"#set($a = 0.001)$a #set($b = 0.0001)$b",
		"#set($a = 100.0)$a",
		"#set($a = -0.5)$a",
		"#set($a = 3 - -2)$a",
		"#set($a = 2147483647 + 1)$a",
		"#set($a = 10 / 4 * 4)$a",
		"#set($a = 10.0 % 4)$a",
		"#set($a = $d % 1)$a",
		"#set($a = $z - $z)$a",
	)

	add("cond",
		"#if(true)yes#end",
		"#if(false)yes#end",
		"#if(true)a#else b#end",
		"#if(false)a#else b#end",
		"#if(false)a#elseif(true)b#else c#end",
		"#if(false)a#elseif(false)b#else c#end",
		"#if(false)a#elseif(false)b#elseif(true)c#end",
		"#if($t)T#end#if($f)F#end",
		"#if($undefined)u#else nu#end",
		"#if(!$undefined)nu#end",
		"#if($e)empty string is true#end",
		"#if($z)zero is true#end",
		"#if($empty)empty list is true#end",
		"#if($s)s#end",
		"#if(1)one#else notone#end",
		"#if(\"str\")lit#else notlit#end",
		"#if('')e#else ne#end",
		"#if([1])l#else nl#end",
		"#if(($t))p#end",
		"#if(!$t)a#else b#end",
		"#if(!!$t)dbl#end",
		"#if(not $f)not#end",
		"#if($t && $f)a#else b#end",
		"#if($t || $f)a#else b#end",
		"#if($t and $t)a#end#if($f or $t)b#end",
		"#if($f && $undefined.foo())x#else short#end",
		"#if($n == 3)eq#end",
		"#if($n eq 3)eq#end",
		"#if($n != 3)ne#else same#end",
		"#if($n ne 4)ne#end",
		"#if($n < 4)lt#end#if($n lt 3)bad#end",
		"#if($n <= 3)le#end#if($n le 2)bad#end",
		"#if($n > 2)gt#end#if($n gt 3)bad#end",
		"#if($n >= 3)ge#end#if($n ge 4)bad#end",
		"#if($n == 3.0)numeq#end",
		"#if($d > $n)bigger#else smaller#end",
		"#if($n == '3')streq#else strne#end",
		"#if($s == 'Hello World')s#end",
		"#if($s == $s)same#end",
		"#if($undefined == $undefined2)nulleq#end",
		"#if($undefined != $undefined2)nullne#else nulleq#end",
		"#if($undefined == 'x')a#else b#end",
		"#if($undefined != 'x')a#else b#end",
		"#if($s < 'z')strlt#else nostrlt#end",
		"#if($undefined < 1)a#else b#end",
		"#if($t == 'true')bool-str#end",
		"#if($l == [1, 2, 3])listeq#end",
		"#if($l == $l)listself#end",
		"#if($m.a == 1)ma#end",
		"#if($items[0].ok)ok#end",
		"#if( $n > 1 && $n < 5 || $f )range#end",
		"#if($n > 1 and not ($n > 5))and-not#end",
		"#if(1 + 1 == 2)math#end",
		"#if($e == '')emptyeq#end",
		"#if($t == true)teq#end",
		"#if($f != true)fne#end",
		"#{if}(true)brace#{else}no#{end}",
		"#if(true)a#{else}b#{end}",
		"#if ($t)space#end",
		"#if(\n$t\n)newline#end",
		"#if(false)#elseif($undefined)u#else else#end",
		"#if(true)#if(false)a#else b#end#end",
		"#if($m.containsKey('a'))has#end",
		"#if($s.startsWith('Hell'))sw#end",
		"#if(!$s.isEmpty())ne#end",
		"#if($n % 2 == 1)odd#end",
		"#if($n == 3 == true)chain#else nochain#end",
	)

	add("foreach",
		"#foreach($i in $l)$i#end",
		"#foreach($i in $l)$i,#end",
		"#foreach($i in [1..3])$i#end",
		"#foreach($i in [3..1])$i#end",
		"#foreach($i in $empty)x#end",
		"#foreach($i in $undefined)x#end",
		"#foreach($i in $s)x#end",
		"#foreach($i in $m)$i;#end",
		"#foreach($k in $m.keySet())$k=$m.get($k);#end",
		"#foreach($e in $m.entrySet())$e.key:$e.value #end",
		"#foreach($i in $ls)$foreach.index$foreach.count$foreach.hasNext$foreach.first$foreach.last #end",
		"#foreach($i in $ls)$velocityCount#end",
		"#foreach($i in $ls)$i#if($foreach.hasNext), #end#end",
		"#foreach($i in $ls)#if(!$foreach.first),#end$i#end",
		"#foreach($i in $ls)#if($foreach.last)!#end#end",
		"#foreach($i in [1..2])#foreach($j in ['a','b'])$i$j$foreach.index$foreach.parent.index #end#end",
		"#foreach($i in [1..5])#if($i == 3)#break#end$i#end",
		"#foreach($i in [1..3])#foreach($j in [1..3])#if($j == 2)#break#end$i$j #end#end",
		"#set($i = 'keep')#foreach($i in [1..2])$i#end$i",
		"#foreach($i in [1..2])#end$i",
		"#foreach($i in [1..2])#set($last = $i)#end$last",
		"$foreach.index#foreach($i in [1])$foreach.index#end$foreach.index",
		"#foreach($i in $mixed)[$i]#end",
		"#foreach($i in $mixed)[$!i]#end",
		"#foreach($item in $items)$item.name=$item.price #end",
		"#foreach($item in $items)#foreach($t in $item.tags)$t#end|#end",
		"#foreach( $i in $l )$i#end",
		"#foreach($i in [$n..5])$i#end",
		"#foreach($i in [1..$n])$i#end",
		"#foreach($i in {'a': 1, 'b': 2})$i#end",
		"#foreach($i in $matrix)$i.size()#end",
		"#{foreach}($i in $l)$i#{end}",
		"#foreach($i in $l)$velocityHasNext #end",
		"#foreach($x in [1..3])#set($sum = $x)#end$sum",
		"#foreach($i in $l)#set($dummy = $l.size())$i#end",
		"#foreach($a in [[1,2],[3]])#foreach($b in $a)$b#end;#end",
		"#foreach($i in [1..3])\n$i\n#end",
		"#foreach($i in [1..3])$i#else x#end",
	)

	add("macro",
		"#macro(hello)Hello!#end#hello()",
		"#macro(greet $name)Hi $name!#end#greet('Bob') #greet($s)",
		"#macro(pair $a $b)[$a|$b]#end#pair(1 2)#pair('x', 'y')#pair($n, $d)",
		"#macro(m $x)$x#end#m($undefined)",
		"#macro(m $x)#set($x = 'changed')$x#end#m('orig')",
		"#macro(m)#set($g = 'global')#end#m()$g",
		"#macro(rec $n)#if($n > 0)$n#set($k = $n - 1)#rec($k)#end#end#rec(3)",
		"#macro(list $items)#foreach($i in $items)<$i>#end#end#list($l)#list(['a','b'])",
		"#nomacro()",
		"#nomacro('x', 1)",
		"#nomacro",
		"#later()#macro(later)L#end",
		"#macro(m $a $b)$a$b#end#m(1)",
		"#macro(m $a)$a#end#m(1 2)",
		"#macro(m $a)$a#end#m([1, 2])#m({'k': 'v'})#m([1..3])",
		"#macro( spaced  $a )<$a>#end#spaced( 'x' )",
		"#macro(m)body\n#end\n#m()\n#m()\n",
		"#macro(m $p)$p.name#end#m($items[0])",
		"#macro(counter $c)$c#end#foreach($i in [1..3])#counter($i)#end",
		"#macro(outer $a)#inner($a)#end#macro(inner $b)($b)#end#outer('x')",
		"#macro(brk)a#break b#end#brk()c",
		"#{hello}()",
		"#macro(dflt $a)$a#end#dflt(true)#dflt(false)#dflt(1.5)",
	)

	add("define",
		"#define($b)block $s#end$b",
		"#define($b)x#end$b$b",
		"#define($b)$v#end#set($v = 1)$b#set($v = 2)$b",
		"#define($b)#end[$b]",
		"#define($b)inner#end#if($b)true#end",
		"#define($b)content#end$b.toString().length()",
	)

	add("stop",
		"a#stop b",
		"a#if(true)b#stop c#end d",
		"#foreach($i in [1..5])$i#if($i == 2)#stop#end#end after",
		"x#stop",
		"#macro(m)in#stop out#end#m() after",
		"#break after",
	)

	add("evaluate",
		"#evaluate('$s')",
		"#evaluate(\"#set($x = 5)$x\")$x",
		"#set($code = '#foreach($i in [1..3])$i#end')#evaluate($code)",
		"#evaluate('')",
	)

	add("ws",
		"#set($a = 1)\nline",
		"  #set($a = 1)\nline",
		"\t#set($a = 1)  \nline",
		"a\n  #set($a = 1)\nb",
		"a\n#set($a = 1)\n  #set($b = 2)\nb",
		"#if(true)\nyes\n#end\nafter",
		"  #if(true)\n  yes\n  #end\n  after",
		"#if(true)  \nyes#end  \nafter",
		"#if(true) x\n#end",
		"#if(false)\na\n#else\nb\n#end\nc",
		"#if(false)\na\n#elseif(true)\nb\n#end\nc",
		"<ul>\n#foreach($i in $ls)\n  <li>$i</li>\n#end\n</ul>",
		"<ul>\n  #foreach($i in $ls)\n    <li>$i</li>\n  #end\n</ul>",
		"{\n  #foreach($i in $items)\n  \"$i.name\": $i.price#if($foreach.hasNext),#end\n\n  #end\n}",
		"$s #set($a = 1)x",
		"$s  #set($a = 1)x",
		"a #set($a = 1)x",
		"#set($a = 1)  #set($b = 2)$a$b",
		"#set($a = 1) trailing\nnext",
		"#set($a = 1)\r\nwin",
		"#if(true)\r\nwin\r\n#end\r\nafter",
		"#foreach($i in [1..2])\n  #set($x = $i)\n  v=$x\n#end",
		"#macro(m)\n  body\n#end\n  #m()\nafter",
		"#if(true)\n\n#end\n\nx",
		"#{end}",
		"x #end y",
	)

	add("string",
		"$s.length()",
		"$s.substring(6)",
		"$s.substring(0, 5)",
		"$s.substring(11)",
		"$s.indexOf('o')",
		"$s.indexOf('o', 5)",
		"$s.indexOf('zz')",
		"$s.lastIndexOf('o')",
		"$s.lastIndexOf('o', 5)",
		"$s.contains('World')",
		"$s.contains('world')",
		"$s.startsWith('Hello')",
		"$s.startsWith('World', 6)",
		"$s.endsWith('World')",
		"$s.equals('Hello World')",
		"$s.equals($undefined)",
		"$mc.equalsIgnoreCase('hello')",
		"$e.isEmpty() $s.isEmpty()",
		"[$ws.trim()]",
		"$s.toLowerCase() $s.toUpperCase()",
		"$s.replace('o', '0')",
		"$s.replace('World', 'There')",
		"$s.replaceAll('[aeiou]', '*')",
		"$s.replaceAll('(\\w+) (\\w+)', '$2 $1')",
		"$s.replaceFirst('l+', 'L')",
		"$s.replaceAll('o', '\\$')",
		"$csv.split(',').size()",
		"$csv.split(',', -1).size()",
		"$csv.split(',', 2).size()",
		"#foreach($p in $csv.split(','))[$p]#end",
		"#foreach($p in $s.split(' '))[$p]#end",
		"#foreach($p in $s.split(''))$p|#end",
		"#foreach($p in $path.split('/'))[$p]#end",
		"$num.matches('\\d+') $s.matches('\\d+')",
		"$s.matches('Hel.*')",
		"$s.charAt(0)$s.charAt(4)",
		"$s.concat('!')",
		"$s.toString()",
		"$uni.length() $uni.toUpperCase() $uni.substring(0, 4)",
		"$uni.indexOf('\u00fc')",
		"$s.hashCode()",
		"$s.compareTo('Hello')",
		"$s.substring(20)",
		"$s.nosuchmethod()",
		"$s.length",
		"$s.empty $e.empty",
		"$s.substring('x')",
		"$s.contains(1)",
		"$n.toString().length()",
		"'$s.replace(\"l\", \"L\")'",
		"$q.replace('\"', '\\\"')",
		"$s.split(' ')[1]",
		"$s.substring(0,1).toLowerCase()$s.substring(1)",
		"$path.replaceAll('\\{[^}]*\\}', 'X')",
		"$url.replaceAll(' ', '%20')",
		"$s.replaceAll('(?i)hello', 'bye')",
		"$s.indexOf(111)",
	)

	add("map",
		"$m.size()",
		"$m.get('a') $m.get('zz')",
		"$m.containsKey('a') $m.containsKey('zz')",
		"$m.containsValue('two') $m.containsValue(2)",
		"$m.isEmpty() $emptyMap.isEmpty()",
		"$m.keySet()",
		"$m.values()",
		"$m.entrySet()",
		"#set($x = $m.put('a', 100))$x $m",
		"#set($x = $m.put('new', 'n'))$m",
		"$m.put('q', 1)",
		"$!m.put('q', 1)$m.q",
		"#set($x = $m.remove('a'))$x $m",
		"#set($o = {'z': 26})#set($x = $m.putAll($o))$m",
		"#set($c = {})#set($x = $c.put('b', 2))#set($x = $c.put('a', 1))$c",
		"#set($c = {'k': 1})#set($x = $c.put('k', 2))$c",
		"$m.d.size() $m.c.size()",
		"$m.get('d').x",
		"#set($c = {'a': 1})#set($x = $c.remove('a'))$c.size() $c",
		"#set($c = {1: 'one', 2: 'two'})$c.get(1) $c",
		"$m.equals($m)",
		"#set($c = {'a':{'b':[1,{'c':true}]}})$c",
		"$m.keySet().size()",
		"#set($x = $m.clear())$m",
		"$m.getOrDefault('zz', 'dflt')",
	)

	add("list",
		"$l.size()",
		"$l.get(0) $l.get(2)",
		"$l.get(5)",
		"$l.contains(2) $l.contains('2')",
		"$l.isEmpty() $empty.isEmpty()",
		"$l.indexOf(3) $l.indexOf(9)",
		"$ls.indexOf('b')",
		"#set($x = $l.add(4))$x $l",
		"#set($x = $l.add(0, 'z'))$l",
		"#set($x = $l.set(1, 'y'))$x $l",
		"#set($x = $l.addAll([7, 8]))$x $l",
		"#set($x = $ls.remove('b'))$x $ls",
		"#set($x = $l.remove(0))$x $l",
		"#set($c = [])#set($x = $c.add('a'))#set($x = $c.add('b'))$c $c.size()",
		"$l.add(9)",
		"$mixed.size() $mixed.get(4)",
		"$mixed.contains(3.5)",
		"$matrix.get(0).get(1)",
		"$l.equals([1,2,3])",
		"#set($c = [1..3])$c.get(0)",
		"$l.empty $empty.empty",
		"$l.lastIndexOf(3)",
		"#set($x = $l.clear())$l",
		"$ls.subList(1, 3)",
	)

	add("number",
		"$n.toString()",
		"$n.intValue() $d.intValue()",
		"$d.doubleValue() $n.doubleValue()",
		"$n.equals(3) $n.equals(3.0)",
		"$n.compareTo(5)",
		"$t.toString() $t.booleanValue()",
		"#set($a = 3.0)$a #set($b = 3)$b",
		"#set($a = 1000000.0)$a #set($b = 10000000.0)$b",
		"#set($a = 0.000123)$a",
		"#set($a = 123456789012)$a",
		"#set($a = -0.0)$a",
		"#set($a = 1.0E2)$a",
	)

	// Generated: every comparison operator over pairs of operand kinds.
	operands := []string{"1", "2", "1.0", "'1'", "'a'", "$n", "$d", "$undefined", "true", "$s", "$l", "$e"}
	ops := []string{"==", "!=", "<", ">", "<=", ">="}
	for i, op := range ops {
		var b strings.Builder
		for _, a := range operands {
			for _, c := range operands {
				fmt.Fprintf(&b, "#if(%s %s %s)T#else F#end", a, op, c)
			}
			b.WriteString("\n")
		}
		cs = append(cs, testCase{name: fmt.Sprintf("gen-cmp/%d", i), tmpl: b.String()})
	}
	// Generated: arithmetic over pairs of operand kinds.
	arith := []string{"7", "-2", "2.5", "0", "'s'", "$n", "$d", "$undefined", "$big"}
	for i, op := range []string{"+", "-", "*", "/", "%"} {
		var b strings.Builder
		for _, a := range arith {
			for _, c := range arith {
				fmt.Fprintf(&b, "#set($r = 'none')#set($r = %s %s %s)[$r]", a, op, c)
			}
			b.WriteString("\n")
		}
		cs = append(cs, testCase{name: fmt.Sprintf("gen-arith/%d", i), tmpl: b.String()})
	}
	// Generated: truthiness of every kind of value, plain and negated.
	for i, v := range []string{"$s", "$e", "$n", "$z", "$t", "$f", "$l", "$empty", "$m", "$emptyMap", "$undefined", "$m.zz", "$d", "$mixed[4]"} {
		cs = append(cs, testCase{name: fmt.Sprintf("gen-truth/%02d", i),
			tmpl: fmt.Sprintf("#if(%s)T#else F#end#if(!%s)T#else F#end#if(%s && true)T#else F#end#if(%s || false)T#else F#end", v, v, v, v)})
	}
	// Generated: whitespace gobbling around every directive form, with
	// leading indentation and trailing spaces.
	dirs := []struct{ open, mid, close string }{
		{"#if($t)", "#else", "#end"},
		{"#foreach($i in [1..2])", "", "#end"},
		{"#if($f)", "#elseif($t)", "#end"},
		{"#{if}($t)", "#{else}", "#{end}"},
		{"#macro(wsm)", "", "#end"},
		{"#define($wsb)", "", "#end"},
	}
	indents := []string{"", "  ", "\t"}
	for i, d := range dirs {
		for j, ind := range indents {
			var b strings.Builder
			b.WriteString("start\n")
			b.WriteString(ind + d.open + "  \n")
			b.WriteString(ind + "  body $!i\n")
			if d.mid != "" {
				b.WriteString(ind + d.mid + " \n")
				b.WriteString(ind + "  other\n")
			}
			b.WriteString(ind + d.close + "\t\n")
			b.WriteString(ind + "#set($w = 1)\n")
			b.WriteString(ind + "end $w\n")
			if strings.Contains(d.open, "macro") {
				b.WriteString(ind + "#wsm()\n#wsm() x\n")
			}
			if strings.Contains(d.open, "define") {
				b.WriteString(ind + "$wsb\n")
			}
			cs = append(cs, testCase{name: fmt.Sprintf("gen-ws/%d-%d", i, j), tmpl: b.String()})
		}
	}
	// Generated: string methods applied to several receivers.
	recvs := []string{"$s", "$e", "$ws", "$uni", "$csv", "$mc"}
	calls := []string{
		"length()", "isEmpty()", "trim()", "toLowerCase()", "toUpperCase()",
		"indexOf('a')", "lastIndexOf(',')", "contains('l')", "startsWith(' ')", "endsWith(',')",
		"replace('a', 'A')", "replaceAll('\\s+', '_')", "replaceFirst('[A-Z]', '#')",
		"split(',').size()", "matches('.*e.*')", "concat('|')", "equals('')", "toString()",
		"equalsIgnoreCase('HELLO')",
	}
	for i, r := range recvs {
		var b strings.Builder
		for _, c := range calls {
			fmt.Fprintf(&b, "%s.%s=[%s.%s]\n", strings.TrimPrefix(r, "$"), c, r, c)
		}
		cs = append(cs, testCase{name: fmt.Sprintf("gen-str/%d", i), tmpl: b.String()})
	}
	// Generated: JSON-ish output the way mapping templates build it.
	for i, coll := range []string{"$items", "$ls", "$l", "$mixed", "$empty", "$m"} {
		tmpl := fmt.Sprintf("[\n#foreach($x in %s)\n  {\"v\": \"$x\", \"i\": $foreach.index}#if($foreach.hasNext),#end\n\n#end\n]", coll)
		cs = append(cs, testCase{name: fmt.Sprintf("gen-json/%d", i), tmpl: tmpl})
	}

	addCtx("ctx", `{"a": {"b": null}, "list": [null, 1], "num": 1.0, "neg": -0.5, "exp": 1.0E-10, "bigf": 1.0E21}`,
		"$a $a.b $!a.b",
		"#foreach($x in $list)[$x]#end",
		"$num $neg $exp $bigf",
		"#if($a.b)x#else y#end",
	)

	addCtx("pets", `{"pets": [{"id": 1, "type": "dog", "price": 249.99}, {"id": 2, "type": "cat", "price": 124.99}, {"id": 3, "type": "fish", "price": 0.99}]}`,
		"#set($inputRoot = $pets)\n[\n#foreach($elem in $inputRoot)\n  {\n    \"number\": $elem.id,\n    \"class\": \"$elem.type\",\n    \"salesPrice\": $elem.price\n  }#if($foreach.hasNext),#end\n\n#end\n]",
		"#foreach($p in $pets)#if($p.price < 200)$p.type #end#end",
		"#set($total = 0)#foreach($p in $pets)#set($total = $total + $p.price)#end$total",
		"#set($ids = [])#foreach($p in $pets)#set($x = $ids.add($p.id))#end$ids",
	)

	// The plain-mode golden templates of package vtl.
	files, _ := filepath.Glob("../testdata/golden/*.vtl")
	for _, f := range files {
		if strings.HasSuffix(f, ".aws.vtl") {
			continue
		}
		src, err := os.ReadFile(f)
		if err == nil {
			cs = append(cs, testCase{name: "golden/" + filepath.Base(f), tmpl: string(src)})
		}
	}
	return cs
}
