/* SPDX-License-Identifier: Apache-2.0 */
/* libintoto: the umbrella header. */
#ifndef INTOTO_INTOTO_H
#define INTOTO_INTOTO_H

#include "archive.h"
#include "buf.h"
#include "envelope.h"
#include "error.h"
#include "json.h"
#include "key.h"
#include "layout.h"
#include "pgp.h"
#include "record.h"
#include "rules.h"
#include "run.h"
#include "verify.h"

#endif
