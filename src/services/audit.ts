import * as auditRepo from '../db/repositories/audit.js';
import { verifyChainPage, type ChainCheck } from '../domain/audit.js';
import { pageWindow, type Page, type Services } from './context.js';

export async function listAuditLog(svc: Services, filter: auditRepo.AuditFilter, page: Page) {
  const r = await auditRepo.listAudit(svc.database.db, filter, pageWindow(page));
  return { ...r, page: page.page, pageSize: page.pageSize, pages: Math.max(1, Math.ceil(r.total / page.pageSize)) };
}

export function listAuditActions(svc: Services): Promise<string[]> {
  return auditRepo.listAuditActions(svc.database.db);
}

/** Walks the whole chain a page at a time; reports the first broken entry. */
export async function verifyAuditLog(svc: Services, onProgress?: (checked: number, total: number) => void, pageSize = 5000): Promise<ChainCheck> {
  const total = onProgress ? await auditRepo.countAudit(svc.database.db) : 0;
  let state = undefined as Parameters<typeof verifyChainPage>[1];
  for (;;) {
    const entries = await auditRepo.auditPage(svc.database.db, state?.prevSeq ?? 0, pageSize);
    if (entries.length === 0) break;
    const step = verifyChainPage(entries, state);
    if (step.result) return step.result;
    state = step.state;
    onProgress?.(state.checked, total);
  }
  return { ok: true, checked: state?.checked ?? 0, lastHash: state?.prevHash ?? '0'.repeat(64) };
}
