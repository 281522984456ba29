/* ktest_irq: handlers the IRQ delivery tests register by name. */
#ifndef CRATE_KTEST_IRQ_H
#define CRATE_KTEST_IRQ_H

#include <stdint.h>

void ktest_irq_count_a(uint8_t irq_line);
void ktest_irq_count_b(uint8_t irq_line);
void ktest_irq_fault(uint8_t irq_line);       /* always faults (#UD) */
void ktest_irq_serial_news(uint8_t irq_line); /* a serial_input listener */
extern const uint32_t ktest_irq_not_code;     /* exported data, not a handler */

#endif
