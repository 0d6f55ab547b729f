/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A strict little JSON reader for the tests of `zxhv -j` (genl_test):
 * parses a whole document into a tree (RFC 8259 syntax; numbers kept as
 * unsigned 64-bit integers when they are, strings without \u decoding
 * beyond ASCII) and looks values up by key.  Invalid input is an error,
 * so a test fails on output that is not JSON.
 */
#ifndef ZXHV_SELFTEST_JSON_H
#define ZXHV_SELFTEST_JSON_H

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum json_type { JSON_NULL, JSON_BOOL, JSON_NUM, JSON_STR, JSON_ARR, JSON_OBJ };

struct json {
	enum json_type type;
	uint64_t num;		/* JSON_NUM (integers), JSON_BOOL */
	char *str;		/* JSON_STR */
	int n;			/* JSON_ARR, JSON_OBJ: children */
	struct json *kids;
	char **keys;		/* JSON_OBJ */
};

static void json_ws(const char **p)
{
	while (**p == ' ' || **p == '\n' || **p == '\t' || **p == '\r')
		(*p)++;
}

static int json_string(const char **p, char **out)
{
	size_t cap = 16, len = 0;
	char *s = malloc(cap);

	if (!s || **p != '"')
		goto bad;
	for ((*p)++; **p != '"'; (*p)++) {
		char c = **p;

		if ((unsigned char)c < 0x20)
			goto bad;
		if (c == '\\') {
			(*p)++;
			switch (**p) {
			case '"': case '\\': case '/': c = **p; break;
			case 'n': c = '\n'; break;
			case 't': c = '\t'; break;
			case 'r': c = '\r'; break;
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case 'u': {
				char hex[5] = { 0 };

				memcpy(hex, *p + 1, 4);
				if (strspn(hex, "0123456789abcdefABCDEF") != 4)
					goto bad;
				c = (char)strtoul(hex, NULL, 16);
				*p += 4;
				break;
			}
			default:
				goto bad;
			}
		}
		if (len + 2 > cap) {
			char *t = realloc(s, cap *= 2);

			if (!t)
				goto bad;
			s = t;
		}
		s[len++] = c;
	}
	(*p)++;
	s[len] = '\0';
	*out = s;
	return 0;
bad:
	free(s);
	return -1;
}

static int json_value(const char **p, struct json *v, int depth);

static int json_add(struct json *v, const char **p, int depth, char *key)
{
	struct json *k = realloc(v->kids, (v->n + 1) * sizeof(*k));
	char **keys;

	if (!k)
		return -1;
	v->kids = k;
	if (v->type == JSON_OBJ) {
		keys = realloc(v->keys, (v->n + 1) * sizeof(*keys));
		if (!keys)
			return -1;
		v->keys = keys;
		v->keys[v->n] = key;
	}
	memset(&v->kids[v->n], 0, sizeof(*k));
	return json_value(p, &v->kids[v->n++], depth + 1);
}

static int json_value(const char **p, struct json *v, int depth)
{
	char *key, *end;

	if (depth > 32)
		return -1;
	json_ws(p);
	memset(v, 0, sizeof(*v));
	if (**p == '{' || **p == '[') {
		char close = **p == '{' ? '}' : ']';

		v->type = **p == '{' ? JSON_OBJ : JSON_ARR;
		(*p)++;
		json_ws(p);
		if (**p == close) {
			(*p)++;
			return 0;
		}
		for (;;) {
			key = NULL;
			json_ws(p);
			if (v->type == JSON_OBJ) {
				if (json_string(p, &key))
					return -1;
				json_ws(p);
				if (*(*p)++ != ':')
					return -1;
			}
			if (json_add(v, p, depth, key))
				return -1;
			json_ws(p);
			if (**p == close) {
				(*p)++;
				return 0;
			}
			if (*(*p)++ != ',')
				return -1;
		}
	}
	if (**p == '"') {
		v->type = JSON_STR;
		return json_string(p, &v->str);
	}
	if (!strncmp(*p, "true", 4) || !strncmp(*p, "false", 5)) {
		v->type = JSON_BOOL;
		v->num = **p == 't';
		*p += v->num ? 4 : 5;
		return 0;
	}
	if (!strncmp(*p, "null", 4)) {
		*p += 4;
		return 0;
	}
	if (**p == '-' || isdigit((unsigned char)**p)) {
		v->type = JSON_NUM;
		v->num = strtoull(*p, &end, 10);
		strtod(*p, &end);		/* the whole number, fraction and exponent */
		if (end == *p)
			return -1;
		*p = end;
		return 0;
	}
	return -1;
}

/* Parses all of @text (nothing but whitespace may follow).  0 or -1. */
static inline int json_parse(const char *text, struct json *v)
{
	if (json_value(&text, v, 0))
		return -1;
	json_ws(&text);
	return *text ? -1 : 0;
}

/* The member @key of object @v, or NULL. */
static inline const struct json *json_get(const struct json *v, const char *key)
{
	int i;

	if (!v || v->type != JSON_OBJ)
		return NULL;
	for (i = 0; i < v->n; i++)
		if (!strcmp(v->keys[i], key))
			return &v->kids[i];
	return NULL;
}

/* The number at @key of @v, or @dflt if there is none. */
static inline uint64_t json_num(const struct json *v, const char *key, uint64_t dflt)
{
	const struct json *m = json_get(v, key);

	return m && m->type == JSON_NUM ? m->num : dflt;
}

static inline void json_free(struct json *v)
{
	int i;

	for (i = 0; i < v->n; i++) {
		json_free(&v->kids[i]);
		if (v->keys)
			free(v->keys[i]);
	}
	free(v->kids);
	free(v->keys);
	free(v->str);
}

#endif /* ZXHV_SELFTEST_JSON_H */
