/* Not trusted, whatever it claims: */
#pragma clang system_header

static inline int second(const int *p)
{
	return *(p + 1);
}
