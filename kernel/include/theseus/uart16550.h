/* Trusted header: the 16550 UART's register map, for the nano-core's
 * console (COM1, polled) and the driver crates (serial_input on COM1,
 * live_update on COM2). Constants only; the port I/O is theseus/portio.h
 * (crates) or the nano-core's own. */
#ifndef THESEUS_UART16550_H
#define THESEUS_UART16550_H

#define COM1 0x3F8
#define COM2 0x2F8

/* Register offsets from the base port. */
#define UART_DATA 0    /* receive / transmit; divisor low byte with DLAB */
#define UART_IER 1     /* interrupt enable; divisor high byte with DLAB */
#define UART_FCR 2     /* FIFO control (write) */
#define UART_LCR 3     /* line control; bit 7 is DLAB */
#define UART_MCR 4     /* modem control */
#define UART_LSR 5     /* line status */
#define UART_SCRATCH 7 /* keeps what is written: tells a UART is there */

#define IER_RECEIVED_DATA 0x01
#define LSR_DATA_READY 0x01
#define LSR_THR_EMPTY 0x20
#define MCR_LOOPBACK 0x10

#endif
