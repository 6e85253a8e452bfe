/* SPDX-License-Identifier: Apache-2.0 */
/* Layouts (spec §4.3): strict schema checks, rules, parameters. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <intoto/buf.h>
#include <intoto/layout.h>

static const char *const layout_fields[] = {
    "_type", "expires", "inspect", "keys", "readme", "steps", NULL
};
static const char *const step_fields[] = {
    "_type", "expected_command", "expected_materials", "expected_products",
    "name", "pubkeys", "threshold", NULL
};
static const char *const inspection_fields[] = {
    "_type", "expected_materials", "expected_products", "name", "run", NULL
};

/* Fail closed on a field this implementation does not know. */
static int
check_fields(const struct intoto_json *obj, const char *const *allowed,
             const char *what, struct intoto_error *err)
{
    size_t len = 0;
    const char *key = intoto_json_unknown_key(obj, allowed, &len);

    if (key != NULL) {
        return intoto_error_set(err, INTOTO_EUNSUPPORTED,
                                "%s has unknown field '%.*s'", what,
                                (int)len, key);
    }
    return INTOTO_OK;
}

/* A string member without NUL bytes, or NULL. */
static const char *
get_str(const struct intoto_json *obj, const char *key)
{
    size_t len;
    const char *s = intoto_json_strl(intoto_json_get(obj, key), &len);

    return (s != NULL && strlen(s) == len) ? s : NULL;
}

static int
is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int
days_in_month(int y, int m)
{
    static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30,
                                31 };
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

    return days[m - 1] + (m == 2 && leap);
}

int
intoto_layout_parse_time(time_t *out, const char *s,
                         struct intoto_error *err)
{
    static const char form[] = "dddd-dd-ddTdd:dd:ddZ";
    struct tm tm;
    size_t i;

    *out = 0;
    for (i = 0; form[i] != '\0'; i++) {
        if (s[i] == '\0' || (form[i] == 'd' ? !is_digit(s[i])
                                            : s[i] != form[i])) {
            break;
        }
    }
    if (form[i] != '\0' || s[i] != '\0') {
        return intoto_error_set(err, INTOTO_EPARSE, "'expires' value '%s' "
                                "is not of the form YYYY-MM-DDTHH:MM:SSZ", s);
    }
    memset(&tm, 0, sizeof(tm));
    tm.tm_year = atoi(s) - 1900;
    tm.tm_mon = atoi(s + 5) - 1;
    tm.tm_mday = atoi(s + 8);
    tm.tm_hour = atoi(s + 11);
    tm.tm_min = atoi(s + 14);
    tm.tm_sec = atoi(s + 17);
    if (tm.tm_year + 1900 < 1 || tm.tm_mon < 0 || tm.tm_mon > 11 ||
        tm.tm_mday < 1 ||
        tm.tm_mday > days_in_month(tm.tm_year + 1900, tm.tm_mon + 1) ||
        tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 59) {
        return intoto_error_set(err, INTOTO_EPARSE, "'expires' value '%s' "
                                "is not a valid date", s);
    }
    *out = timegm(&tm);
    return INTOTO_OK;
}

/* Python's str.format(**params) for the "{name}" form only. */
static int
format_field(struct intoto_buf *b, const char *name, size_t len,
             const struct intoto_param *params, size_t n_params,
             const char *s, struct intoto_error *err)
{
    size_t i, digits = 0;

    for (i = 0; i < len; i++) {
        if (strchr(".[!:", name[i]) != NULL) {
            return intoto_error_set(err, INTOTO_EINVAL, "'%s': field "
                                    "'{%.*s}' uses format syntax that is not "
                                    "supported", s, (int)len, name);
        }
        digits += is_digit(name[i]);
    }
    if (len == 0 || digits == len) {
        return intoto_error_set(err, INTOTO_EINVAL, "'%s': positional field "
                                "'{%.*s}' cannot be substituted", s, (int)len,
                                name);
    }
    for (i = 0; i < n_params; i++) {
        if (strlen(params[i].name) == len &&
            memcmp(params[i].name, name, len) == 0) {
            return intoto_buf_addstr(b, params[i].value);
        }
    }
    return intoto_error_set(err, INTOTO_EINVAL, "'%s': no parameter named "
                            "'%.*s' (give it with --param %.*s=VALUE)", s,
                            (int)len, name, (int)len, name);
}

int
intoto_layout_substitute(char **out, const char *s,
                         const struct intoto_param *params, size_t n_params,
                         struct intoto_error *err)
{
    struct intoto_buf b;
    const char *p = s, *end;
    int rc = INTOTO_OK;

    *out = NULL;
    intoto_buf_init(&b);
    while (*p != '\0' && rc == INTOTO_OK) {
        if ((p[0] == '{' && p[1] == '{') || (p[0] == '}' && p[1] == '}')) {
            rc = intoto_buf_addch(&b, p[0]);
            p += 2;
        } else if (p[0] == '}') {
            rc = intoto_error_set(err, INTOTO_EINVAL, "'%s': single '}' "
                                  "(write '}}' for a brace)", s);
        } else if (p[0] == '{') {
            end = strchr(p, '}');
            if (end == NULL) {
                rc = intoto_error_set(err, INTOTO_EINVAL, "'%s': '{' without "
                                      "'}' (write '{{' for a brace)", s);
                break;
            }
            rc = format_field(&b, p + 1, (size_t)(end - p - 1), params,
                              n_params, s, err);
            p = end + 1;
        } else {
            rc = intoto_buf_addch(&b, *p++);
        }
    }
    if (rc == INTOTO_OK) {
        rc = intoto_buf_addstr(&b, "");
    }
    if (rc == INTOTO_OK) {
        *out = intoto_buf_detach(&b, NULL);
        rc = *out ? INTOTO_OK : INTOTO_ENOMEM;
    }
    intoto_buf_release(&b);
    return rc;
}

struct subst {
    const struct intoto_param *params;
    size_t n_params;
    int on;
};

/* Copy a JSON array of strings, substituting parameters when asked. */
static int
string_list(char ***out, size_t *n, const struct intoto_json *arr,
            const struct subst *sub, const char *what,
            struct intoto_error *err)
{
    size_t i, len, count = intoto_json_len(arr);
    char **v;
    const char *s;
    int rc = INTOTO_OK;

    *out = NULL;
    *n = 0;
    if (arr != NULL && !intoto_json_is(arr, INTOTO_JSON_ARRAY)) {
        return intoto_error_set(err, INTOTO_EPARSE, "%s must be a list of "
                                "strings", what);
    }
    v = calloc(count + 1, sizeof(*v));
    if (v == NULL) {
        return intoto_error_set(err, INTOTO_ENOMEM, "out of memory");
    }
    for (i = 0; i < count && rc == INTOTO_OK; i++) {
        s = intoto_json_strl(intoto_json_at(arr, i), &len);
        if (s == NULL || strlen(s) != len) {
            rc = intoto_error_set(err, INTOTO_EPARSE, "%s: item %zu is not a "
                                  "string", what, i + 1);
        } else if (sub->on) {
            rc = intoto_layout_substitute(&v[i], s, sub->params,
                                          sub->n_params, err);
        } else {
            v[i] = strdup(s);
            rc = v[i] ? INTOTO_OK : INTOTO_ENOMEM;
        }
    }
    if (rc == INTOTO_OK) {
        *out = v;
        *n = count;
        return INTOTO_OK;
    }
    for (i = 0; i < count; i++) {
        free(v[i]);
    }
    free(v);
    if (rc == INTOTO_ENOMEM) {
        intoto_error_set(err, rc, "out of memory");
    }
    return rc;
}

static void
free_strings(char **v, size_t n)
{
    size_t i;

    for (i = 0; v != NULL && i < n; i++) {
        free(v[i]);
    }
    free(v);
}

/* Parse a rule list ("expected_materials" or "expected_products"). */
static int
rule_list(struct intoto_rule ***out, size_t *n, const struct intoto_json *arr,
          const struct subst *sub, const char *what, struct intoto_error *err)
{
    size_t i, count = intoto_json_len(arr), ne = 0;
    struct intoto_rule **v;
    char **elems = NULL;
    int rc = INTOTO_OK;

    *out = NULL;
    *n = 0;
    if (arr != NULL && !intoto_json_is(arr, INTOTO_JSON_ARRAY)) {
        return intoto_error_set(err, INTOTO_EPARSE, "%s must be a list of "
                                "rules", what);
    }
    v = calloc(count + 1, sizeof(*v));
    if (v == NULL) {
        return intoto_error_set(err, INTOTO_ENOMEM, "out of memory");
    }
    for (i = 0; i < count && rc == INTOTO_OK; i++) {
        rc = string_list(&elems, &ne, intoto_json_at(arr, i), sub, what, err);
        if (rc == INTOTO_OK) {
            rc = intoto_rule_parse(&v[i], (const char *const *)elems, ne,
                                   err);
        }
        free_strings(elems, ne);
        elems = NULL;
        if (rc != INTOTO_OK) {
            intoto_error_wrap(err, "%s: rule %zu", what, i + 1);
        }
    }
    if (rc == INTOTO_OK) {
        *out = v;
        *n = count;
        return INTOTO_OK;
    }
    for (i = 0; i < count; i++) {
        intoto_rule_free(v[i]);
    }
    free(v);
    return rc;
}

static void
release_item(struct intoto_item *it)
{
    size_t i;

    free(it->name);
    for (i = 0; i < it->n_materials; i++) {
        intoto_rule_free(it->materials[i]);
    }
    free(it->materials);
    for (i = 0; i < it->n_products; i++) {
        intoto_rule_free(it->products[i]);
    }
    free(it->products);
    free_strings(it->command, it->n_command);
    free(it->pubkeys);
    memset(it, 0, sizeof(*it));
}

/* Names become file names (<name>.<keyid8>.link, <name>.link and the
 * sublayout directory), so they must not reach out of the directory. */
int
intoto_layout_check_name(const char *name, const char *what,
                         struct intoto_error *err)
{
    if (name == NULL) {
        return intoto_error_set(err, INTOTO_EPARSE, "%s has no 'name' "
                                "string", what);
    }
    if (name[0] == '\0' || strcmp(name, ".") == 0 ||
        strcmp(name, "..") == 0 || strchr(name, '/') != NULL ||
        strchr(name, '\\') != NULL) {
        return intoto_error_set(err, INTOTO_EPARSE, "%s name '%s' is not "
                                "allowed: a name must not be empty, '.', "
                                "'..', or contain '/' or '\\'", what, name);
    }
    /* <name>.<keyid8>.link must fit in one file name (NAME_MAX 255). */
    if (strlen(name) > 200) {
        return intoto_error_set(err, INTOTO_EPARSE, "%s name '%.40s...' is "
                                "longer than 200 bytes", what, name);
    }
    return INTOTO_OK;
}

static int
is_hex(const char *s)
{
    if (s == NULL || *s == '\0') {
        return 0;
    }
    return strspn(s, "0123456789abcdefABCDEF") == strlen(s);
}

/* The step-only fields: pubkeys (hex key ids) and threshold (>= 1). */
static int
parse_step_keys(struct intoto_item *it, const struct intoto_json *obj,
                const char *what, struct intoto_error *err)
{
    const struct intoto_json *pk = intoto_json_get(obj, "pubkeys");
    const struct intoto_json *th = intoto_json_get(obj, "threshold");
    size_t i, n = intoto_json_len(pk);

    if (pk != NULL && !intoto_json_is(pk, INTOTO_JSON_ARRAY)) {
        return intoto_error_set(err, INTOTO_EPARSE, "%s: 'pubkeys' must be "
                                "a list of key ids", what);
    }
    it->pubkeys = calloc(n + 1, sizeof(*it->pubkeys));
    if (it->pubkeys == NULL) {
        return intoto_error_set(err, INTOTO_ENOMEM, "out of memory");
    }
    for (i = 0; i < n; i++) {
        it->pubkeys[i] = intoto_json_str(intoto_json_at(pk, i));
        if (!is_hex(it->pubkeys[i])) {
            return intoto_error_set(err, INTOTO_EPARSE, "%s: pubkeys item "
                                    "%zu is not a hex key id", what, i + 1);
        }
    }
    it->n_pubkeys = n;
    it->threshold = 1;
    if (th != NULL && (intoto_json_int(th, &it->threshold) != INTOTO_OK ||
                       it->threshold < 1)) {
        return intoto_error_set(err, INTOTO_EPARSE, "%s: 'threshold' must "
                                "be an integer of at least 1", what);
    }
    return INTOTO_OK;
}

static int
parse_item(struct intoto_item *it, const struct intoto_json *obj,
           int is_step, const struct subst *sub, struct intoto_error *err)
{
    const char *kind = is_step ? "step" : "inspection";
    const char *type = get_str(obj, "_type");
    char what[300];
    int rc;

    memset(it, 0, sizeof(*it));
    if (!intoto_json_is(obj, INTOTO_JSON_OBJECT)) {
        return intoto_error_set(err, INTOTO_EPARSE, "a %s must be an object",
                                kind);
    }
    rc = intoto_layout_check_name(get_str(obj, "name"), kind, err);
    if (rc != INTOTO_OK) {
        return rc;
    }
    snprintf(what, sizeof(what), "%s '%s'", kind, get_str(obj, "name"));
    rc = check_fields(obj, is_step ? step_fields : inspection_fields, what,
                      err);
    if (rc != INTOTO_OK) {
        return rc;
    }
    if (type == NULL || strcmp(type, kind) != 0) {
        return intoto_error_set(err, INTOTO_EPARSE, "%s: '_type' must be "
                                "'%s'", what, kind);
    }
    it->name = strdup(get_str(obj, "name"));
    if (it->name == NULL) {
        return intoto_error_set(err, INTOTO_ENOMEM, "out of memory");
    }

    rc = rule_list(&it->materials, &it->n_materials,
                   intoto_json_get(obj, "expected_materials"), sub,
                   "expected_materials", err);
    if (rc == INTOTO_OK) {
        rc = rule_list(&it->products, &it->n_products,
                       intoto_json_get(obj, "expected_products"), sub,
                       "expected_products", err);
    }
    if (rc == INTOTO_OK) {
        rc = string_list(&it->command, &it->n_command,
                         intoto_json_get(obj, is_step ? "expected_command"
                                                      : "run"),
                         sub, is_step ? "expected_command" : "run", err);
    }
    if (rc != INTOTO_OK) {
        return intoto_error_wrap(err, "%s", what);
    }
    /* Its messages name the step already. */
    return is_step ? parse_step_keys(it, obj, what, err) : INTOTO_OK;
}

static int
parse_items(struct intoto_item **out, size_t *n, const struct intoto_json *arr,
            int is_step, const struct subst *sub, struct intoto_error *err)
{
    size_t i, count = intoto_json_len(arr);
    int rc = INTOTO_OK;

    if (arr != NULL && !intoto_json_is(arr, INTOTO_JSON_ARRAY)) {
        return intoto_error_set(err, INTOTO_EPARSE, "'%s' must be a list",
                                is_step ? "steps" : "inspect");
    }
    *out = calloc(count + 1, sizeof(**out));
    if (*out == NULL) {
        return intoto_error_set(err, INTOTO_ENOMEM, "out of memory");
    }
    for (i = 0; i < count && rc == INTOTO_OK; i++) {
        rc = parse_item(&(*out)[i], intoto_json_at(arr, i), is_step, sub,
                        err);
        *n = i + 1;
    }
    return rc;
}

/* Step and inspection names share one name space (they key the links
 * the rules see). */
static int
check_unique(const struct intoto_layout *l, struct intoto_error *err)
{
    size_t total = l->n_steps + l->n_inspections, i, j;

    for (i = 0; i < total; i++) {
        const struct intoto_item *a = i < l->n_steps
            ? &l->steps[i] : &l->inspections[i - l->n_steps];

        for (j = i + 1; j < total; j++) {
            const struct intoto_item *b = j < l->n_steps
                ? &l->steps[j] : &l->inspections[j - l->n_steps];

            if (strcmp(a->name, b->name) == 0) {
                return intoto_error_set(err, INTOTO_EPARSE, "the name '%s' "
                                        "is used twice; step and inspection "
                                        "names must be unique", a->name);
            }
        }
    }
    return INTOTO_OK;
}

static int
check_params(const struct intoto_param *params, size_t n,
             struct intoto_error *err)
{
    size_t i;
    const char *ok = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                     "0123456789_-";

    for (i = 0; i < n; i++) {
        if (params[i].name[0] == '\0' ||
            strspn(params[i].name, ok) != strlen(params[i].name)) {
            return intoto_error_set(err, INTOTO_EINVAL, "parameter name "
                                    "'%s' must match [a-zA-Z0-9_-]+",
                                    params[i].name);
        }
    }
    return INTOTO_OK;
}

static int
parse_header(struct intoto_layout *l, const struct intoto_json *payload,
             struct intoto_error *err)
{
    const char *type = get_str(payload, "_type");
    const struct intoto_json *readme = intoto_json_get(payload, "readme");
    int rc;

    if (!intoto_json_is(payload, INTOTO_JSON_OBJECT)) {
        return intoto_error_set(err, INTOTO_EPARSE, "layout is not an "
                                "object");
    }
    rc = check_fields(payload, layout_fields, "layout", err);
    if (rc != INTOTO_OK) {
        return rc;
    }
    if (type == NULL || strcmp(type, "layout") != 0) {
        return intoto_error_set(err, INTOTO_EPARSE, "'_type' is not "
                                "'layout'");
    }
    l->expires = get_str(payload, "expires");
    if (l->expires == NULL) {
        return intoto_error_set(err, INTOTO_EPARSE, "layout has no "
                                "'expires' string");
    }
    rc = intoto_layout_parse_time(&l->expires_at, l->expires, err);
    if (rc != INTOTO_OK) {
        return rc;
    }
    l->readme = readme ? get_str(payload, "readme") : "";
    if (l->readme == NULL) {
        return intoto_error_set(err, INTOTO_EPARSE, "'readme' is not a "
                                "string");
    }
    l->keys = intoto_json_get(payload, "keys");
    if (l->keys != NULL && !intoto_json_is(l->keys, INTOTO_JSON_OBJECT)) {
        return intoto_error_set(err, INTOTO_EPARSE, "'keys' is not an "
                                "object");
    }
    return INTOTO_OK;
}

int
intoto_layout_parse(struct intoto_layout **out,
                    const struct intoto_json *payload,
                    const struct intoto_param *params, size_t n_params,
                    int substitute, struct intoto_error *err)
{
    struct intoto_layout *l = NULL;
    struct subst sub = { params, n_params, substitute };
    int rc;

    *out = NULL;
    rc = check_params(params, n_params, err);
    if (rc != INTOTO_OK) {
        return rc;
    }
    l = calloc(1, sizeof(*l));
    if (l == NULL) {
        return intoto_error_set(err, INTOTO_ENOMEM, "out of memory");
    }

    rc = parse_header(l, payload, err);
    if (rc == INTOTO_OK) {
        rc = parse_items(&l->steps, &l->n_steps,
                         intoto_json_get(payload, "steps"), 1, &sub, err);
    }
    if (rc == INTOTO_OK) {
        rc = parse_items(&l->inspections, &l->n_inspections,
                         intoto_json_get(payload, "inspect"), 0, &sub, err);
    }
    if (rc == INTOTO_OK) {
        rc = check_unique(l, err);
    }

    if (rc == INTOTO_OK) {
        *out = l;
    } else {
        intoto_layout_free(l);
    }
    return rc;
}

void
intoto_layout_free(struct intoto_layout *layout)
{
    size_t i;

    if (layout == NULL) {
        return;
    }
    for (i = 0; i < layout->n_steps; i++) {
        release_item(&layout->steps[i]);
    }
    free(layout->steps);
    for (i = 0; i < layout->n_inspections; i++) {
        release_item(&layout->inspections[i]);
    }
    free(layout->inspections);
    free(layout);
}
