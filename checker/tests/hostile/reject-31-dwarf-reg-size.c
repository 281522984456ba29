// __builtin_init_dwarf_reg_size_table writes a table anywhere.
// RUN: %not %safec -fplugin-arg-safec-crate=evil -fsyntax-only %s 2>&1 | %check_rules
void fill(unsigned char *table)
{
// CHECK-DAG: reject-31-dwarf-reg-size.c:[[@LINE+1]]:{{[0-9]+}}: error: {{.*}}'__builtin_init_dwarf_reg_size_table'{{.*}}; hint: {{.+}} [safe-c-builtin]
	__builtin_init_dwarf_reg_size_table(table);
}
