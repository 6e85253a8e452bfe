/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for artifact rule patterns (Python fnmatchcase semantics). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "pattern.h"

struct pattern_case {
    const char *pat;
    const char *name;
    int match;
};

/* Expected values from Python 3.11 fnmatch.fnmatchcase(name, pat), the
 * function in-toto's rules use (through fnmatch.filter on POSIX). */
static const struct pattern_case cases[] = {
    { "*", "", 1 },
    { "*", "a", 1 },
    { "*", "a/b", 1 },
    { "*", "dir/x.py", 1 },
    { "*", ".hidden", 1 },
    { "*.py", "a.py", 1 },
    { "*.py", "a/b/c.py", 1 },
    { "*.py", "a.pyc", 0 },
    { "*.py", "py", 0 },
    { "*.py", ".py", 1 },
    { "a/*", "a/b", 1 },
    { "a/*", "a/b/c", 1 },
    { "a/*", "a", 0 },
    { "a/*", "ab/c", 0 },
    { "a/*", "a/", 1 },
    { "?", "a", 1 },
    { "?", "/", 1 },
    { "?", "", 0 },
    { "?", "ab", 0 },
    { "?", "\xc3""\xa9""", 1 },
    { "a?c", "abc", 1 },
    { "a?c", "a/c", 1 },
    { "a?c", "ac", 0 },
    { "a?c", "abbc", 0 },
    { "a?c", "a\xc3""\xa9""c", 1 },
    { "x[^a]y", "x^y", 1 },
    { "x[^a]y", "xay", 1 },
    { "x[^a]y", "xby", 0 },
    { "x[!a]y", "x^y", 1 },
    { "x[!a]y", "xay", 0 },
    { "x[!a]y", "xby", 1 },
    { "x[!a]y", "x/y", 1 },
    { "[abc]", "a", 1 },
    { "[abc]", "b", 1 },
    { "[abc]", "d", 0 },
    { "[abc]", "[abc]", 0 },
    { "[a-c]x", "bx", 1 },
    { "[a-c]x", "dx", 0 },
    { "[a-c]x", "-x", 0 },
    { "[!a-c]x", "bx", 0 },
    { "[!a-c]x", "dx", 1 },
    { "[!a-c]x", "-x", 1 },
    { "[a-]", "a", 1 },
    { "[a-]", "-", 1 },
    { "[a-]", "b", 0 },
    { "[-a]", "a", 1 },
    { "[-a]", "-", 1 },
    { "[-a]", "b", 0 },
    { "[!-a]", "a", 0 },
    { "[!-a]", "-", 0 },
    { "[!-a]", "b", 1 },
    { "[]]", "]", 1 },
    { "[]]", "a", 0 },
    { "[!]]", "]", 0 },
    { "[!]]", "a", 1 },
    { "[]", "[]", 1 },
    { "[]", "]", 0 },
    { "[]", "", 0 },
    { "[!]", "[!]", 1 },
    { "[!]", "!", 0 },
    { "[", "[", 1 },
    { "[", "a", 0 },
    { "a[b", "a[b", 1 },
    { "a[b", "ab", 0 },
    { "[z-a]", "z", 0 },
    { "[z-a]", "a", 0 },
    { "[z-a]", "-", 0 },
    { "[z-a]", "[z-a]", 0 },
    { "[!z-a]", "z", 1 },
    { "[!z-a]", "q", 1 },
    { "[!z-a]", "-", 1 },
    { "[z-ab]", "b", 1 },
    { "[z-ab]", "z", 0 },
    { "[z-ab]", "a", 0 },
    { "[z-ab]", "-", 0 },
    { "[a-c-e]", "a", 1 },
    { "[a-c-e]", "b", 1 },
    { "[a-c-e]", "c", 1 },
    { "[a-c-e]", "d", 0 },
    { "[a-c-e]", "e", 1 },
    { "[a-c-e]", "-", 1 },
    { "[!z-ab-c]", "a", 1 },
    { "[!z-ab-c]", "b", 0 },
    { "[!z-ab-c]", "c", 0 },
    { "[!z-ab-c]", "d", 1 },
    { "[!z-ab-c]", "z", 1 },
    { "\\*", "\\*", 1 },
    { "\\*", "*", 0 },
    { "\\*", "\\a", 1 },
    { "\\*", "\\", 1 },
    { "a\\b", "a\\b", 1 },
    { "a\\b", "ab", 0 },
    { "a\\b", "a/b", 0 },
    { "[\\]", "\\", 1 },
    { "[\\]", "a", 0 },
    { "[\\-a]", "\\", 1 },
    { "[\\-a]", "-", 0 },
    { "[\\-a]", "a", 1 },
    { "[\\-a]", "]", 1 },
    { "[\\-a]", "Z", 0 },
    { "**", "", 1 },
    { "**", "abc", 1 },
    { "**", "a/b/c", 1 },
    { "a*b*c", "abc", 1 },
    { "a*b*c", "aXbYc", 1 },
    { "a*b*c", "a/b/c", 1 },
    { "a*b*c", "acb", 0 },
    { "a*b*c", "abcb", 0 },
    { "a*b*c", "abcbc", 1 },
    { "*a*a*a*", "aaa", 1 },
    { "*a*a*a*", "aa", 0 },
    { "*a*a*a*", "baaab", 1 },
    { "*a*a*a*", "ababab", 1 },
    { "foo", "foo", 1 },
    { "foo", "Foo", 0 },
    { "foo", "foo/", 0 },
    { "foo", "fo", 0 },
    { "Foo", "foo", 0 },
    { "Foo", "Foo", 1 },
    { "\xc3""\xa9""?", "\xc3""\xa9""a", 1 },
    { "\xc3""\xa9""?", "\xc3""\xa9""e", 1 },
    { "\xc3""\xa9""?", "e", 0 },
    { "\xc3""\xa9""?", "\xc3""\xa9""\xc3""\xa9""", 1 },
    { "[\xc3""\xa9""]", "\xc3""\xa9""", 1 },
    { "[\xc3""\xa9""]", "e", 0 },
    { "[a-\xc3""\xa9""]", "b", 1 },
    { "[a-\xc3""\xa9""]", "\xc3""\xa9""", 1 },
    { "[a-\xc3""\xa9""]", "\xc3""\xaa""", 0 },
    { "[^]", "^", 1 },
    { "[^]", "[^]", 0 },
    { "[[]", "[", 1 },
    { "[[]", "[[]", 0 },
    { "[a&&b]", "a", 1 },
    { "[a&&b]", "&", 1 },
    { "[a&&b]", "b", 1 },
    { "[*]", "*", 1 },
    { "[*]", "a", 0 },
    { "[?]x", "?x", 1 },
    { "[?]x", "ax", 0 },
    { "demo-project/*", "demo-project/foo.py", 1 },
    { "demo-project/*", "demo-project", 0 },
    { "demo-project/*", "demo-projectX", 0 },
    { "*/", "a/", 1 },
    { "*/", "a", 0 },
    { "a\nb", "a\nb", 1 },
    { "*b", "a\nb", 1 },
    { "*b", "\nb", 1 },
};

static void
test_pattern_table(void **state)
{
    size_t i;
    int failed = 0;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int got = intoto__pattern_fnmatch(cases[i].pat, cases[i].name);

        if (got != cases[i].match) {
            print_error("pattern '%s' name '%s': got %d, want %d\n",
                        cases[i].pat, cases[i].name, got, cases[i].match);
            failed++;
        }
    }
    assert_int_equal(failed, 0);
}

static void
test_pattern_prefix(void **state)
{
    struct intoto__pattern *p = NULL;
    const char *pre;
    size_t len;

    (void)state;
    assert_int_equal(intoto__pattern_compile(&p, "demo/*.py", NULL),
                     INTOTO_OK);
    pre = intoto__pattern_prefix(p, &len);
    assert_int_equal(len, 5);
    assert_memory_equal(pre, "demo/", 5);
    assert_int_equal(intoto__pattern_is_literal(p), 0);
    intoto__pattern_free(p);

    /* An unclosed '[' is literal, so the whole pattern is a name. */
    assert_int_equal(intoto__pattern_compile(&p, "a[b", NULL), INTOTO_OK);
    pre = intoto__pattern_prefix(p, &len);
    assert_int_equal(len, 3);
    assert_int_equal(intoto__pattern_is_literal(p), 1);
    assert_int_equal(intoto__pattern_match(p, "a[b", 3), 1);
    assert_int_equal(intoto__pattern_match(p, "ab", 2), 0);
    intoto__pattern_free(p);

    assert_int_equal(intoto__pattern_compile(&p, "x[ab]*", NULL), INTOTO_OK);
    pre = intoto__pattern_prefix(p, &len);
    assert_int_equal(len, 1);
    assert_memory_equal(pre, "x", 1);
    intoto__pattern_free(p);

    /* An empty class matches nothing: not a literal. */
    assert_int_equal(intoto__pattern_compile(&p, "[z-a]", NULL), INTOTO_OK);
    assert_int_equal(intoto__pattern_is_literal(p), 0);
    assert_int_equal(intoto__pattern_match(p, "", 0), 0);
    intoto__pattern_free(p);
}

static void
test_pattern_long_name(void **state)
{
    char name[4096];

    (void)state;
    memset(name, 'a', sizeof(name) - 1);
    name[sizeof(name) - 1] = '\0';
    assert_int_equal(intoto__pattern_fnmatch("*a*a*a*b", name), 0);
    assert_int_equal(intoto__pattern_fnmatch("*a*a*a*", name), 1);
    /* NUL inside a name: the length decides, not the terminator. */
    {
        struct intoto__pattern *p = NULL;

        assert_int_equal(intoto__pattern_compile(&p, "a?b", NULL),
                         INTOTO_OK);
        assert_int_equal(intoto__pattern_match(p, "a\0b", 3), 1);
        intoto__pattern_free(p);
    }
}

/* Found by fuzzing: merging the chunks of an empty range (here "a-/")
 * wrote past the first chunk's allocation.  Expected values from Python
 * 3.11 fnmatch.fnmatchcase. */
static void
test_pattern_class_empty_range_merge(void **state)
{
    static const char fuzz_pat[] = "*[!a-/b/build/z]?";
    static const char two[] = "[z-a-/b/build/x]";

    (void)state;
    assert_int_equal(intoto__pattern_fnmatch(fuzz_pat, "x4,z"), 1);
    assert_int_equal(intoto__pattern_fnmatch(fuzz_pat, "a/"), 1);
    assert_int_equal(intoto__pattern_fnmatch(fuzz_pat, "zz"), 0);
    assert_int_equal(intoto__pattern_fnmatch(fuzz_pat, "/b"), 0);
    assert_int_equal(intoto__pattern_fnmatch(fuzz_pat, "q"), 0);
    /* Two merges in a row: [\-/b/build/x]. */
    assert_int_equal(intoto__pattern_fnmatch(two, "-"), 1);
    assert_int_equal(intoto__pattern_fnmatch(two, "/"), 1);
    assert_int_equal(intoto__pattern_fnmatch(two, "x"), 1);
    assert_int_equal(intoto__pattern_fnmatch(two, "z"), 0);
    assert_int_equal(intoto__pattern_fnmatch(two, "a"), 0);
    assert_int_equal(intoto__pattern_fnmatch(two, "y"), 0);
}

int
main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pattern_table),
        cmocka_unit_test(test_pattern_prefix),
        cmocka_unit_test(test_pattern_long_name),
        cmocka_unit_test(test_pattern_class_empty_range_merge),
    };

    if (argc > 1) {
        cmocka_set_test_filter(argv[1]);
    }
    return cmocka_run_group_tests(tests, NULL, NULL);
}
