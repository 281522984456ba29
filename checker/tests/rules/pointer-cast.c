// Casts that change the pointee type, explicit or implicit.
// RUN: %not %safec -fplugin-arg-safec-crate=t -fsyntax-only %s 2>&1 | %check_rules
struct a { int x; };
struct b { long y; };

char *through_char(int *p)
{
	// CHECK-DAG: pointer-cast.c:[[@LINE+1]]:9: error: cast from 'int *' to 'char *' changes the pointee type; hint: {{.*}} [safe-c-pointer-cast]
	return (char *)p;
}

unsigned char *through_unsigned_char(struct a *p)
{
	// CHECK-DAG: pointer-cast.c:[[@LINE+1]]:9: error: cast from 'struct a *' to 'unsigned char *' changes the pointee type{{.*}} [safe-c-pointer-cast]
	return (unsigned char *)p;
}

struct b *from_void(void *raw)
{
	// CHECK-DAG: pointer-cast.c:[[@LINE+1]]:20: error: cast from 'void *' to 'struct b *' changes the pointee type{{.*}} [safe-c-pointer-cast]
	struct b *typed = raw;
	return typed;
}

struct b *struct_to_struct(struct a *p)
{
	// CHECK-DAG: pointer-cast.c:[[@LINE+1]]:9: error: cast from 'struct a *' to 'struct b *'{{.*}} [safe-c-pointer-cast]
	return (struct b *)p;
}

void take_long(long *p);
void pass_mismatched(int *p)
{
	// CHECK-DAG: pointer-cast.c:[[@LINE+1]]:12: error: cast from 'int *' to 'long *' changes the pointee type{{.*}} [safe-c-pointer-cast]
	take_long((long *)p);
}

const int **pointer_to_pointer(int **pp)
{
	// A const int ** could be used to store a const pointer into an int *.
	// CHECK-DAG: pointer-cast.c:[[@LINE+1]]:9: error: cast from 'int **' to 'const int **' changes the pointee type{{.*}} [safe-c-pointer-cast]
	return (const int **)pp;
}

void **erase_pointer_pointer(int **pp)
{
	// CHECK-DAG: pointer-cast.c:[[@LINE+1]]:9: error: {{.*}}[safe-c-pointer-cast]
	return (void **)pp;
}

int *round_trip(int *p)
{
	void *v = p;
	// CHECK-DAG: pointer-cast.c:[[@LINE+1]]:9: error: cast from 'void *' to 'int *'{{.*}} [safe-c-pointer-cast]
	return (int *)v;
}

// __seg_gs is an address_space attribute, judged where the macro is used.
// CHECK-DAG: pointer-cast.c:[[@LINE+1]]:1: error: attribute 'address_space' is not allowed in crate code{{.*}} [safe-c-attribute]
__seg_gs int *to_other_address_space(int *p)
{
	// CHECK-DAG: pointer-cast.c:[[@LINE+2]]:10: error: attribute 'address_space'{{.*}} [safe-c-attribute]
	// CHECK-DAG: pointer-cast.c:[[@LINE+1]]:9: error: {{.*}}changes the address space{{.*}} [safe-c-pointer-cast]
	return (__seg_gs int *)p;
}
