import { describe, expect, it } from 'vitest';
import { ENGINES, testApp, testDb } from './context.js';

interface Place {
  kind: string;
  name: string;
  ward: { code: string; name: string; name_en: string };
  center: [number, number];
  bbox?: [number, number, number, number];
}

const BMT = '24133';

for (const engine of ENGINES) {
  describe(`places [${engine}]`, () => {
    const search = async (query: string) => {
      const { app } = testApp(await testDb(engine));
      const res = await app.request(`/api/places/search?${query}`);
      expect(res.status).toBe(200);
      return (await res.json()) as Place[];
    };

    it('finds Lê Duẩn typed without tone marks, once per ward, Buôn Ma Thuột and Tuy Hòa apart', async () => {
      const found = await search('q=le+duan&limit=10');
      const streets = found.filter((p) => p.kind === 'street' && p.name === 'Lê Duẩn');
      expect(streets.length).toBeGreaterThanOrEqual(2);
      const bmt = streets.find((p) => p.ward.code === BMT)!;
      expect(bmt.ward).toEqual({ code: BMT, name: 'Phường Buôn Ma Thuột', name_en: 'Buon Ma Thuot Ward' });
      expect(bmt.center[0]).toBeCloseTo(108.04, 1);
      expect(bmt.center[1]).toBeCloseTo(12.68, 1);
      expect(bmt.bbox).toHaveLength(4);
      expect(streets.some((p) => p.ward.name === 'Phường Tuy Hoà')).toBe(true);
      // Every street result is one street in one ward: no two answers alike.
      expect(new Set(streets.map((p) => p.ward.code)).size).toBe(streets.length);
    });

    it('ranks the street called exactly that before places that merely contain the words', async () => {
      const found = await search('q=L%C3%AA%20Du%E1%BA%A9n&limit=20');
      const firstOther = found.findIndex((p) => p.name !== 'Lê Duẩn');
      const lastExact = found.map((p) => p.name).lastIndexOf('Lê Duẩn');
      if (firstOther >= 0) expect(lastExact).toBeLessThan(firstOther);
      expect(found[0]).toMatchObject({ kind: 'street', name: 'Lê Duẩn' });
    });

    it('forgives a typo (le duna) and a leading "Đường"', async () => {
      for (const q of ['le+duna', 'duong+le+duan', '%C4%90%C6%B0%E1%BB%9Dng%20L%C3%AA%20Du%E1%BA%A9n']) {
        const found = await search(`q=${q}&limit=10`);
        expect(found.some((p) => p.kind === 'street' && p.name === 'Lê Duẩn' && p.ward.code === BMT), q).toBe(true);
      }
    });

    it('finds the central market of Buôn Ma Thuột as a POI', async () => {
      const found = await search('q=cho+trung+tam&limit=5');
      expect(found[0]).toMatchObject({ kind: 'poi', name: 'Chợ Trung Tâm', category: 'marketplace', ward: { code: BMT } });
    });

    it('finds Phường Tân Lập as a ward first, then what else is called Tân Lập', async () => {
      const found = await search('q=phuong+tan+lap');
      expect(found[0]).toMatchObject({ kind: 'ward', name: 'Phường Tân Lập', ward: { code: '24121', name: 'Phường Tân Lập' } });
      expect(found[0].bbox![0]).toBeLessThan(found[0].bbox![2]);
    });

    it('finds Nguyễn Tất Thành and, with near=, puts the one in Buôn Ma Thuột first', async () => {
      const anywhere = await search('q=nguyen+tat+thanh');
      expect(anywhere.filter((p) => p.name === 'Nguyễn Tất Thành').length).toBeGreaterThanOrEqual(2);
      const nearBmt = await search('q=nguyen+tat+thanh&near=12.68,108.045');
      expect(nearBmt[0]).toMatchObject({ kind: 'street', name: 'Nguyễn Tất Thành', ward: { code: BMT } });
      const nearTuyHoa = await search('q=nguyen+tat+thanh&near=13.09,109.30');
      expect(nearTuyHoa[0].ward.name_en).toMatch(/Tuy Hoa|Phu Yen|Binh Kien/);
    });

    it('answers a word nobody has with an empty list, and honours limit', async () => {
      expect(await search('q=xyzzyqwv')).toEqual([]);
      expect(await search('q=nguyen&limit=3')).toHaveLength(3);
    });

    it('names the nearest house and street of a pin on Lê Duẩn, and its ward', async () => {
      const { app } = testApp(await testDb(engine));
      const res = await app.request('/api/places/reverse?lat=12.66872&lon=108.04078');
      expect(res.status).toBe(200);
      const body = await res.json();
      expect(body.street).toMatchObject({ name: 'Lê Duẩn' });
      expect(body.street.distance_m).toBeLessThan(30);
      expect(body.housenumber).toMatchObject({ number: '52' });
      expect(body.address).toBe('52 Lê Duẩn');
      expect(body.ward.code).toMatch(/^\d{5}$/);
      const areas = await (await app.request('/api/areas/at?lat=12.66872&lon=108.04078')).json();
      expect(body.ward.code).toBe(areas.ward.code);
    });

    it('names the street alone where no house number is mapped near', async () => {
      const { app } = testApp(await testDb(engine));
      const body = await (await app.request('/api/places/reverse?lat=12.6792&lon=108.0444')).json();
      expect(body).toMatchObject({ ward: { code: BMT, name: 'Phường Buôn Ma Thuột' } });
      expect(typeof body.address).toBe('string');
    });

    it('answers 422 outside_region for a pin outside the province (Hà Nội), as a report posted there gets', async () => {
      const { app } = testApp(await testDb(engine));
      const res = await app.request('/api/places/reverse?lat=21.0285&lon=105.8542');
      expect(res.status).toBe(422);
      expect((await res.json()).error.code).toBe('outside_region');
    });

    it('refuses bad input with a message per field, in the language asked for', async () => {
      const { app } = testApp(await testDb(engine));
      const en = { headers: { 'accept-language': 'en' } };
      const empty = await app.request('/api/places/search?q=%20%20&limit=50&near=abc', en);
      expect(empty.status).toBe(400);
      const { error } = await empty.json();
      expect(error.code).toBe('validation_failed');
      expect(error.fields.q).toMatch(/q is required/);
      expect(error.fields.limit).toMatch(/between 1 and 20/);
      expect(error.fields.near).toMatch(/lat,lon/);
      const long = await (await app.request(`/api/places/search?q=${'a'.repeat(101)}`, en)).json();
      expect(long.error.fields.q).toMatch(/at most 100/);
      const missing = await (await app.request('/api/places/search', en)).json();
      expect(missing.error.fields.q).toMatch(/required/);
      const far = await (await app.request('/api/places/search?q=le&near=95,108', en)).json();
      expect(far.error.fields.near).toMatch(/between -90 and 90/);
      const reverse = await app.request('/api/places/reverse?lat=91&lon=x', en);
      expect(reverse.status).toBe(400);
      const r = await reverse.json();
      expect(r.error.fields.lat).toMatch(/between -90 and 90/);
      expect(r.error.fields.lon).toMatch(/number/);
      expect(JSON.stringify(r)).not.toMatch(/at .*\.ts/);
      const vi = await (await app.request('/api/places/search?q=', { headers: { 'accept-language': 'vi' } })).json();
      expect(vi.error.fields.q).toBe('Hãy nhập tên đường, địa điểm hoặc phường/xã cần tìm');
    });

    it('limits anonymous searches like the other public reads', async () => {
      const { app } = testApp(await testDb(engine), { RATE_LIMITS: 'on', RATE_LIMIT_PUBLIC_READ: '2/1m,100/1m' });
      const headers = { 'x-forwarded-for': `198.51.100.${Math.floor(Math.random() * 250)}` };
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await app.request(`/api/places/search?q=le+duan&i=${i}`, { headers })).status);
      expect(statuses).toEqual([200, 200, 429]);
    });
  });
}
