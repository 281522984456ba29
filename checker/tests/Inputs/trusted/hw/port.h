/* Test stand-in for a trusted header: port I/O through inline assembly. */
#ifndef TEST_HW_PORT_H
#define TEST_HW_PORT_H

static inline void port_out8(unsigned short port, unsigned char value)
{
	__asm__ volatile("outb %0, %1" : : "a"(value), "Nd"(port));
}

static inline unsigned char port_in8(unsigned short port)
{
	unsigned char value;
	__asm__ volatile("inb %1, %0" : "=a"(value) : "Nd"(port));
	return value;
}

/* A kernel-owned sealed type: crates hold it, only trusted code opens it. */
struct __attribute__((annotate("theseus.sealed"))) port_range {
	unsigned short base;
	unsigned short count;
};

static inline struct port_range port_range_make(unsigned short base, unsigned short count)
{
	return (struct port_range){base, count};
}

static inline int port_range_out8(struct port_range r, unsigned short offset, unsigned char v)
{
	if (offset >= r.count)
		return -1;
	port_out8((unsigned short)(r.base + offset), v);
	return 0;
}

/* Stops the machine: crates may not call it. */
__attribute__((annotate("theseus.halts"))) void nano_halt(void);

union hw_word {
	unsigned int word;
	unsigned char bytes[4];
};
union hw_word hw_word_read(void);

#endif
