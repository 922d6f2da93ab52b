/*
 * lib/list.c — the doubly linked circular list of lib/lib.h.  Apart from
 * string.c (whose memcpy is assembly) so that kernel code built for the
 * host (tests/unit/kshim) uses these very functions.
 */
#include "lib/lib.h"

void list_init(struct list *l)
{
    l->next = l->prev = l;
}

void list_add_tail(struct list *head, struct list *n)
{
    n->prev = head->prev;
    n->next = head;
    head->prev->next = n;
    head->prev = n;
}

void list_del(struct list *n)
{
    n->prev->next = n->next;
    n->next->prev = n->prev;
    n->next = n->prev = n;
}

bool list_empty(const struct list *l)
{
    return l->next == l;
}
