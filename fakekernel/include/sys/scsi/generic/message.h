/*
 * illumos <sys/scsi/generic/message.h>: SCSI message codes (SAM/SPI),
 * among them the task attribute messages HBAs map pkt_flags' tag bits
 * onto (<sys/scsi/scsi_types.h> brings it, as in illumos).
 */
#ifndef _FK_SYS_SCSI_GENERIC_MESSAGE_H
#define	_FK_SYS_SCSI_GENERIC_MESSAGE_H

#define	MSG_COMMAND_COMPLETE	0x00
#define	MSG_EXTENDED		0x01
#define	MSG_SAVE_DATA_PTR	0x02
#define	MSG_RESTORE_PTRS	0x03
#define	MSG_DISCONNECT		0x04
#define	MSG_INITIATOR_ERROR	0x05
#define	MSG_ABORT		0x06
#define	MSG_REJECT		0x07
#define	MSG_NOP			0x08
#define	MSG_MSG_PARITY		0x09
#define	MSG_LINK_CMPLT		0x0A
#define	MSG_LINK_CMPLT_FLAG	0x0B
#define	MSG_DEVICE_RESET	0x0C
#define	MSG_ABORT_TAG		0x0D
#define	MSG_CLEAR_QUEUE		0x0E
#define	MSG_INITIATE_RECOVERY	0x0F
#define	MSG_RELEASE_RECOVERY	0x10
#define	MSG_TERMINATE_PROCESS	0x11

/* Two-byte messages: task attributes (queue tags) first. */
#define	MSG_SIMPLE_QTAG		0x20
#define	MSG_HEAD_QTAG		0x21
#define	MSG_ORDERED_QTAG	0x22
#define	MSG_IGNORE_WIDE_RESID	0x23

#define	MSG_IDENTIFY		0x80
#define	INI_CAN_DISCON		0x40
#define	MSG_LUNTAR		0x20
#define	MSG_LUNRTN		0x07

#endif /* _FK_SYS_SCSI_GENERIC_MESSAGE_H */
