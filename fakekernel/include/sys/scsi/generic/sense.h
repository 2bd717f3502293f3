/*
 * illumos <sys/scsi/generic/sense.h>: fixed-format sense data and keys.
 */
#ifndef _FK_SYS_SCSI_GENERIC_SENSE_H
#define	_FK_SYS_SCSI_GENERIC_SENSE_H

#include <sys/types.h>
#include <sys/isa_defs.h>

#ifdef __cplusplus
extern "C" {
#endif

struct scsi_extended_sense {
#if defined(_BIT_FIELDS_LTOH)
	uchar_t	es_code		: 4,
		es_class	: 3,
		es_valid	: 1;
#else
	uchar_t	es_valid	: 1,
		es_class	: 3,
		es_code		: 4;
#endif
	uchar_t	es_segnum;
#if defined(_BIT_FIELDS_LTOH)
	uchar_t	es_key		: 4,
				: 1,
		es_ili		: 1,
		es_eom		: 1,
		es_filmk	: 1;
#else
	uchar_t	es_filmk	: 1,
		es_eom		: 1,
		es_ili		: 1,
				: 1,
		es_key		: 4;
#endif
	uchar_t	es_info_1;
	uchar_t	es_info_2;
	uchar_t	es_info_3;
	uchar_t	es_info_4;
	uchar_t	es_add_len;
	uchar_t	es_cmd_info[4];
	uchar_t	es_add_code;
	uchar_t	es_qual_code;
	uchar_t	es_fru_code;
	uchar_t	es_skey_specific[3];
	uchar_t	es_add_info[2];
};

#define	CLASS_EXTENDED_SENSE	0x7
#define	CODE_FMT_FIXED_CURRENT	0x0
#define	CODE_FMT_FIXED_DEFERRED	0x1
#define	CODE_FMT_DESCR_CURRENT	0x2
#define	CODE_FMT_DESCR_DEFERRED	0x3

#define	SENSE_LENGTH		\
	((sizeof (struct scsi_extended_sense) + 3) & ~3)
#define	MAX_SENSE_LENGTH	252

#define	KEY_NO_SENSE		0x00
#define	KEY_RECOVERABLE_ERROR	0x01
#define	KEY_NOT_READY		0x02
#define	KEY_MEDIUM_ERROR	0x03
#define	KEY_HARDWARE_ERROR	0x04
#define	KEY_ILLEGAL_REQUEST	0x05
#define	KEY_UNIT_ATTENTION	0x06
#define	KEY_WRITE_PROTECT	0x07
#define	KEY_DATA_PROTECT	KEY_WRITE_PROTECT
#define	KEY_BLANK_CHECK		0x08
#define	KEY_VENDOR_UNIQUE	0x09
#define	KEY_COPY_ABORTED	0x0A
#define	KEY_ABORTED_COMMAND	0x0B
#define	KEY_EQUAL		0x0C
#define	KEY_VOLUME_OVERFLOW	0x0D
#define	KEY_MISCOMPARE		0x0E
#define	KEY_RESERVED		0x0F

extern uint8_t scsi_sense_key(uint8_t *);
extern uint8_t scsi_sense_asc(uint8_t *);
extern uint8_t scsi_sense_ascq(uint8_t *);

#ifdef __cplusplus
}
#endif

#endif /* _FK_SYS_SCSI_GENERIC_SENSE_H */
