import { describe, expect, it } from 'vitest';
import { testApp, testDb } from './context.js';

describe('security headers and CORS', () => {
  it('sends a strict CSP, nosniff, frame denial and a referrer policy, and HSTS only behind https', async () => {
    const db = await testDb('embedded');
    const res = await testApp(db).app.request('/api/health');
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(csp).toContain("worker-src 'self' blob:");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin');
    expect(res.headers.get('strict-transport-security')).toBeNull();
    const https = await testApp(db, { PUBLIC_BASE_URL: 'https://phananh.daklak.gov.vn' }).app.request('/api/health');
    expect(https.headers.get('strict-transport-security')).toMatch(/max-age=31536000/);
  });

  it('allows cross-origin API calls only from configured origins, and Open311 reads from anywhere', async () => {
    const db = await testDb('embedded');
    const { app } = testApp(db, { CORS_ORIGINS: 'https://zalo.example.vn' });
    const stranger = await app.request('/api/fields', { headers: { origin: 'https://evil.example' } });
    expect(stranger.headers.get('access-control-allow-origin')).toBeNull();
    const friend = await app.request('/api/fields', { headers: { origin: 'https://zalo.example.vn' } });
    expect(friend.headers.get('access-control-allow-origin')).toBe('https://zalo.example.vn');
    const open311 = await app.request('/open311/v2/services.json', { headers: { origin: 'https://evil.example' } });
    expect(open311.headers.get('access-control-allow-origin')).toBe('*');
    expect((await app.request('/api/health', { headers: { origin: 'x' } })).status).toBe(200);
  });

  it('rejects a malformed CORS_ORIGINS setting with a clear message', async () => {
    const { loadConfig, ConfigError } = await import('../../server/config.js');
    expect(() => loadConfig({ CORS_ORIGINS: 'zalo.example.vn' })).toThrow(ConfigError);
    expect(() => loadConfig({ CORS_ORIGINS: 'zalo.example.vn' })).toThrow(/CORS_ORIGINS: must be a comma-separated list/);
  });
});
