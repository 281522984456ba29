// Unions: declaring them, reading or writing their members, casting to them.
// RUN: %not %safec -fplugin-arg-safec-crate=t -fsyntax-only %s 2>&1 | %check_rules
#include <hw/port.h>

// CHECK: union.c:[[@LINE+1]]:7: error: declaration of union 'pun'; hint: use a struct, or a tag plus one field per variant [safe-c-union]
union pun {
	float f;
	unsigned int u;
};

struct tagged {
	int kind;
	// CHECK: union.c:[[@LINE+1]]:2: error: declaration of an anonymous union{{.*}} [safe-c-union]
	union {
		long l;
		double d;
	};
};

long read_member(struct tagged *t)
{
	// CHECK: union.c:[[@LINE+1]]:12: error: access to member 'l' of union{{.*}} [safe-c-union]
	return t->l;
}

unsigned int trusted_union_member(void)
{
	// The union is declared in a trusted header; reading it here is not.
	union hw_word w = hw_word_read();
	// CHECK: union.c:[[@LINE+1]]:11: error: access to member 'word' of union 'union hw_word'{{.*}} [safe-c-union]
	return w.word;
}

void write_member(union hw_word *w)
{
	// CHECK: union.c:[[@LINE+1]]:5: error: access to member 'word' of union 'union hw_word'{{.*}} [safe-c-union]
	w->word = 1;
}

union hw_word cast_to_union(unsigned int x)
{
	// CHECK: union.c:[[@LINE+1]]:9: error: cast to union type 'union hw_word'{{.*}} [safe-c-union]
	return (union hw_word)x;
}
