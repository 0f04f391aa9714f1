-- Planning map: land-use classes, plans and their zones. Runs on both engines.

-- Vietnamese land-use classification (Luật Đất đai 2024, Nghị định 102/2024/NĐ-CP,
-- codes as in Thông tư 08/2024/TT-BTNMT; LUA kept as the rice-land group code
-- older plans use). Colours follow the usual planning-map legend conventions.
CREATE TABLE land_use_classes (
  code        text PRIMARY KEY CHECK (code ~ '^[A-Z]{3}$'),
  grp         text NOT NULL CHECK (grp IN ('agricultural', 'non_agricultural', 'unused')),
  name_vi     text NOT NULL,
  name_en     text NOT NULL,
  color       text NOT NULL CHECK (color ~ '^#[0-9a-fA-F]{6}$'),
  sort_order  integer NOT NULL
);

INSERT INTO land_use_classes (code, grp, name_vi, name_en, color, sort_order) VALUES
  ('LUA', 'agricultural', 'Đất trồng lúa', 'Rice land', '#FFFC8C', 10),
  ('LUC', 'agricultural', 'Đất chuyên trồng lúa', 'Specialised rice land', '#FFFC64', 11),
  ('LUK', 'agricultural', 'Đất trồng lúa còn lại', 'Other rice land', '#FFFCB4', 12),
  ('HNK', 'agricultural', 'Đất trồng cây hàng năm khác', 'Other annual crop land', '#FFF0B4', 13),
  ('CLN', 'agricultural', 'Đất trồng cây lâu năm', 'Perennial crop land', '#FFD2A0', 14),
  ('RDD', 'agricultural', 'Đất rừng đặc dụng', 'Special-use forest land', '#6EB45A', 15),
  ('RPH', 'agricultural', 'Đất rừng phòng hộ', 'Protection forest land', '#7DC878', 16),
  ('RSX', 'agricultural', 'Đất rừng sản xuất', 'Production forest land', '#B4E6A0', 17),
  ('NTS', 'agricultural', 'Đất nuôi trồng thủy sản', 'Aquaculture land', '#AAFFFF', 18),
  ('CNT', 'agricultural', 'Đất chăn nuôi tập trung', 'Concentrated livestock land', '#E6C8A0', 19),
  ('LMU', 'agricultural', 'Đất làm muối', 'Salt-making land', '#D2D2FA', 20),
  ('NKH', 'agricultural', 'Đất nông nghiệp khác', 'Other agricultural land', '#F5F0D2', 21),
  ('ODT', 'non_agricultural', 'Đất ở tại đô thị', 'Urban residential land', '#FFA0AA', 30),
  ('ONT', 'non_agricultural', 'Đất ở tại nông thôn', 'Rural residential land', '#FFD0D0', 31),
  ('TSC', 'non_agricultural', 'Đất xây dựng trụ sở cơ quan', 'Government office land', '#FF8C6E', 32),
  ('DTS', 'non_agricultural', 'Đất xây dựng trụ sở của tổ chức sự nghiệp', 'Public-service organisation land', '#FFA078', 33),
  ('CQP', 'non_agricultural', 'Đất quốc phòng', 'Defence land', '#FF6450', 34),
  ('CAN', 'non_agricultural', 'Đất an ninh', 'Security land', '#FF5046', 35),
  ('DVH', 'non_agricultural', 'Đất xây dựng cơ sở văn hóa', 'Cultural facility land', '#FFAAA0', 36),
  ('DXH', 'non_agricultural', 'Đất xây dựng cơ sở dịch vụ xã hội', 'Social service facility land', '#FFB4A0', 37),
  ('DYT', 'non_agricultural', 'Đất xây dựng cơ sở y tế', 'Health facility land', '#FF96B4', 38),
  ('DGD', 'non_agricultural', 'Đất xây dựng cơ sở giáo dục và đào tạo', 'Education and training land', '#FFA0C8', 39),
  ('DTT', 'non_agricultural', 'Đất xây dựng cơ sở thể dục, thể thao', 'Sports facility land', '#9BE68C', 40),
  ('DKH', 'non_agricultural', 'Đất xây dựng cơ sở khoa học và công nghệ', 'Science and technology land', '#FAAAB4', 41),
  ('DMT', 'non_agricultural', 'Đất xây dựng cơ sở môi trường', 'Environmental facility land', '#C8B4A0', 42),
  ('DKT', 'non_agricultural', 'Đất xây dựng cơ sở khí tượng thủy văn', 'Hydro-meteorological facility land', '#C8C8FF', 43),
  ('DNG', 'non_agricultural', 'Đất xây dựng cơ sở ngoại giao', 'Diplomatic facility land', '#FFAA96', 44),
  ('DSK', 'non_agricultural', 'Đất xây dựng công trình sự nghiệp khác', 'Other public-service works land', '#FFB496', 45),
  ('SKK', 'non_agricultural', 'Đất khu công nghiệp', 'Industrial park land', '#C8A0DC', 50),
  ('SKN', 'non_agricultural', 'Đất cụm công nghiệp', 'Industrial cluster land', '#D2AAE6', 51),
  ('SKT', 'non_agricultural', 'Đất khu công nghệ thông tin tập trung', 'Information technology park land', '#D7B4EB', 52),
  ('TMD', 'non_agricultural', 'Đất thương mại, dịch vụ', 'Commercial and service land', '#FA96E6', 53),
  ('SKC', 'non_agricultural', 'Đất cơ sở sản xuất phi nông nghiệp', 'Non-agricultural production land', '#E6B4F0', 54),
  ('SKS', 'non_agricultural', 'Đất sử dụng cho hoạt động khoáng sản', 'Mining land', '#CDAAB4', 55),
  ('DGT', 'non_agricultural', 'Đất công trình giao thông', 'Transport land', '#E6E6E6', 60),
  ('DTL', 'non_agricultural', 'Đất công trình thủy lợi', 'Irrigation works land', '#AAC8FF', 61),
  ('DCK', 'non_agricultural', 'Đất công trình cấp nước, thoát nước', 'Water supply and drainage works land', '#A0D2FF', 62),
  ('DNL', 'non_agricultural', 'Đất công trình năng lượng, chiếu sáng công cộng', 'Energy and public lighting works land', '#FFB45A', 63),
  ('DBV', 'non_agricultural', 'Đất công trình bưu chính, viễn thông, công nghệ thông tin', 'Post and telecom works land', '#FFBE8C', 64),
  ('DCH', 'non_agricultural', 'Đất chợ dân sinh, chợ đầu mối', 'Market land', '#FA8CD2', 65),
  ('DKV', 'non_agricultural', 'Đất khu vui chơi, giải trí công cộng, sinh hoạt cộng đồng', 'Public recreation and park land', '#B4F0A0', 66),
  ('DRA', 'non_agricultural', 'Đất công trình xử lý chất thải', 'Waste treatment works land', '#B4A096', 67),
  ('DDD', 'non_agricultural', 'Đất có di tích lịch sử - văn hóa, danh lam thắng cảnh, di sản thiên nhiên', 'Heritage site land', '#FFBEA0', 68),
  ('DCT', 'non_agricultural', 'Đất công trình công cộng khác', 'Other public works land', '#F0C8B4', 69),
  ('TON', 'non_agricultural', 'Đất tôn giáo', 'Religious land', '#FF7878', 70),
  ('TIN', 'non_agricultural', 'Đất tín ngưỡng', 'Belief (shrine) land', '#FF8C8C', 71),
  ('NTD', 'non_agricultural', 'Đất nghĩa trang, nhà tang lễ, cơ sở hỏa táng', 'Cemetery and funeral land', '#D2D2D2', 72),
  ('SON', 'non_agricultural', 'Đất có mặt nước chuyên dùng dạng sông, ngòi, kênh, rạch, suối', 'River and stream land', '#A0E6FF', 73),
  ('MNC', 'non_agricultural', 'Đất có mặt nước chuyên dùng dạng ao, hồ, đầm, phá', 'Lake and pond (specialised water) land', '#8CDCFA', 74),
  ('PNK', 'non_agricultural', 'Đất phi nông nghiệp khác', 'Other non-agricultural land', '#F0D2C8', 75),
  ('CSD', 'unused', 'Đất chưa sử dụng', 'Unused land', '#FFFFFE', 90),
  ('BCS', 'unused', 'Đất bằng chưa sử dụng', 'Unused flat land', '#FFFFF0', 91),
  ('DCS', 'unused', 'Đất đồi núi chưa sử dụng', 'Unused hilly land', '#F5F5DC', 92),
  ('NCS', 'unused', 'Núi đá không có rừng cây', 'Rocky mountain without forest', '#E6DCC8', 93);

CREATE TABLE plans (
  id               serial PRIMARY KEY,
  name             text NOT NULL CHECK (length(name) BETWEEN 1 AND 300),
  -- general (quy hoạch chung) < zoning (phân khu) < detailed (chi tiết).
  level            text NOT NULL CHECK (level IN ('general', 'zoning', 'detailed')),
  authority        text,
  decision_number  text,
  decision_date    date,
  scale            text,
  status           text NOT NULL DEFAULT 'in_force' CHECK (status IN ('in_force', 'superseded')),
  -- Where the data came from; 'demo:...' marks generated, non-legal data.
  source           text NOT NULL,
  is_demo          boolean NOT NULL DEFAULT false,
  created_at       timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE planning_zones (
  id             serial PRIMARY KEY,
  plan_id        integer NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
  land_use_code  text NOT NULL REFERENCES land_use_classes (code),
  label          text,
  max_height_m   double precision CHECK (max_height_m > 0),
  max_floors     integer CHECK (max_floors > 0),
  density_pct    double precision CHECK (density_pct >= 0 AND density_pct <= 100),
  far            double precision CHECK (far >= 0),
  min_lot_m2     double precision CHECK (min_lot_m2 > 0),
  notes          text,
  source_ref     text,
  area_m2        double precision NOT NULL,
  geom           geometry(MultiPolygon, 4326) NOT NULL
);
CREATE INDEX planning_zones_geom_idx ON planning_zones USING gist (geom);
CREATE INDEX planning_zones_plan_idx ON planning_zones (plan_id);

-- VN-2000 3-degree TM zones (EPSG:9205–9218) are missing from some PostGIS
-- builds; the importer needs them for cadastral and planning files.
-- Đắk Lắk uses the 108°30' meridian (EPSG:9218).
INSERT INTO spatial_ref_sys (srid, auth_name, auth_srid, srtext, proj4text)
SELECT v.srid, 'EPSG', v.srid,
       'PROJCS["VN-2000 / TM-3 ' || v.label || '"]',
       '+proj=tmerc +lat_0=0 +lon_0=' || v.lon0 || ' +k=0.9999 +x_0=500000 +y_0=0 +ellps=WGS84 '
         || '+towgs84=-191.90441429,-39.30318279,-111.45032835,-0.00928836,0.01975479,-0.00427372,0.252906278 +units=m +no_defs'
FROM (VALUES
  (9205, '103-00', '103'), (9206, '104-00', '104'), (9207, '104-30', '104.5'), (9208, '104-45', '104.75'),
  (9209, '105-30', '105.5'), (9210, '105-45', '105.75'), (9211, '106-00', '106'), (9212, '106-15', '106.25'),
  (9213, '106-30', '106.5'), (9214, '107-00', '107'), (9215, '107-15', '107.25'), (9216, '107-30', '107.5'),
  (9217, '108-15', '108.25'), (9218, '108-30', '108.5')
) AS v (srid, label, lon0)
WHERE NOT EXISTS (SELECT 1 FROM spatial_ref_sys s WHERE s.srid = v.srid);
