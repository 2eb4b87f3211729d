#!/usr/bin/env python3
"""Dev script (not run by the test suite): builds the seed-agreement fixture.

1. Generates a deterministic sequence of REST depth snapshots (a random walk of a BTCUSDT-like book), with a
   few ticks that got no answer and one with an empty side, and writes it as an obi recording
   (test/fixtures/seed/snapshots.ndjson).
2. Runs the ORIGINAL script's pandas code (SEED.md: topL_vol_and_pw, safe_obi, safe_obi_pw, add_features,
   summarize) on the same snapshots and writes what it computes (expected.csv, expected-metrics.json).
   The only change to the seed: timestamps come from the recording instead of the wall clock, and the
   causal extreme flag is computed beside the seed's look-ahead one (obi_extreme_flag_causal).

Run with Debian's pandas:  /usr/bin/python3 scripts/make-seed-fixture.py
"""
import json
import math
import os
import random

import numpy as np
import pandas as pd

OUT = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'seed')
LEVELS, INTERVAL, EMA, DEPTH_LIMIT, N = 20, 1.0, 30, 500, 400
LIMIT = min(max(LEVELS, 5), DEPTH_LIMIT)  # the seed's request limit
T0 = 1723161255000.0


def make_snapshots():
    rng = random.Random(43)
    tick = 0.01
    mid_ticks = 6_183_763  # 61837.63
    snaps = []
    uid = 50_093_239_000
    for k in range(N):
        t_send = T0 + k * 1000.0
        t_recv = round(t_send + 20 + rng.random() * 30, 3)  # microsecond resolution, as a local clock gives
        if k in (57, 58, 211):
            snaps.append({'t': t_recv, 'k': 'rest_missing', 'ts': t_send, 'r': 'timeout after 8000 ms'})
            continue
        mid_ticks += rng.choice([-3, -2, -1, 0, 0, 0, 1, 2, 3])
        uid += rng.randint(1, 400)
        spread = rng.choice([1, 1, 1, 2, 3])
        bb = mid_ticks - spread // 2
        ba = bb + spread
        bids, asks = [], []
        p = bb
        for i in range(LIMIT):
            bids.append([f'{p * tick:.8f}', f'{rng.expovariate(1.0) * (1 + i / 5):.8f}'])
            p -= rng.choice([1, 1, 2, 5])
        p = ba
        for i in range(LIMIT):
            asks.append([f'{p * tick:.8f}', f'{rng.expovariate(1.0) * (1 + i / 5):.8f}'])
            p += rng.choice([1, 1, 2, 5])
        if k == 300:
            asks = []  # an empty side: the seed raises and writes a NaN row
        if k == 120:
            bids = bids[:3]  # a thin side: fewer levels than L
        snaps.append({'t': t_recv, 'k': 'rest_depth', 'ts': t_send, 'lim': LIMIT,
                      'd': {'lastUpdateId': uid, 'bids': bids, 'asks': asks}})
    return snaps


# ----- the seed's code, verbatim where it computes (SEED.md) -----
def topL_vol_and_pw(bids, asks, L):
    B = [(float(p), float(q)) for p, q in bids[:L]]
    A = [(float(p), float(q)) for p, q in asks[:L]]
    bid_vol = sum(q for _, q in B)
    ask_vol = sum(q for _, q in A)
    bid_pw = sum(p * q for p, q in B)
    ask_pw = sum(p * q for p, q in A)
    best_bid = B[0][0] if B else np.nan
    best_ask = A[0][0] if A else np.nan
    mid = (best_bid + best_ask) / 2.0 if np.isfinite(best_bid) and np.isfinite(best_ask) else np.nan
    return bid_vol, ask_vol, bid_pw, ask_pw, mid


def safe_obi(bid_vol, ask_vol):
    denom = bid_vol + ask_vol
    if denom <= 0 or not np.isfinite(denom):
        return np.nan
    return (bid_vol - ask_vol) / denom


def safe_obi_pw(bid_pw, ask_pw):
    denom = bid_pw + ask_pw
    if denom <= 0 or not np.isfinite(denom):
        return np.nan
    return (bid_pw - ask_pw) / denom


def collect(snaps):
    rows = []
    for s in snaps:
        ts = pd.Timestamp(round(s['t'] * 1000), unit='us', tz='UTC')
        try:
            if s['k'] != 'rest_depth':
                raise TimeoutError(s['r'])
            d = s['d']
            bids = d.get('bids', [])
            asks = d.get('asks', [])
            if not bids or not asks:
                raise ValueError('Empty depth arrays')
            bid_vol, ask_vol, bid_pw, ask_pw, mid = topL_vol_and_pw(bids, asks, LEVELS)
            obi = safe_obi(bid_vol, ask_vol)
            obi_pw = safe_obi_pw(bid_pw, ask_pw)
            rows.append({
                'timestamp': ts, 'lastUpdateId': d.get('lastUpdateId', None),
                'best_bid': float(bids[0][0]), 'best_ask': float(asks[0][0]),
                'mid': float(mid) if np.isfinite(mid) else np.nan,
                'bid_vol_L': float(bid_vol), 'ask_vol_L': float(ask_vol),
                'obi': float(obi) if np.isfinite(obi) else np.nan,
                'obi_pw': float(obi_pw) if np.isfinite(obi_pw) else np.nan,
            })
        except Exception:
            rows.append({'timestamp': ts, 'lastUpdateId': None, 'best_bid': np.nan, 'best_ask': np.nan,
                         'mid': np.nan, 'bid_vol_L': np.nan, 'ask_vol_L': np.nan, 'obi': np.nan, 'obi_pw': np.nan})
    return pd.DataFrame(rows).set_index('timestamp').sort_index()


def add_features(df):
    out = df.copy()
    out['obi_ema'] = out['obi'].ewm(span=EMA, adjust=False, min_periods=5).mean()
    out['obi_pw_ema'] = out['obi_pw'].ewm(span=EMA, adjust=False, min_periods=5).mean()
    out['mid_ret'] = np.log(out['mid']).diff()
    out['mid_ret_fwd'] = out['mid'].shift(-1).pipe(lambda s: np.log(s) - np.log(out['mid']))
    roll = max(60, int(60 / INTERVAL))
    m = out['obi'].rolling(roll, min_periods=roll // 3).mean()
    s = out['obi'].rolling(roll, min_periods=roll // 3).std()
    out['obi_z'] = (out['obi'] - m) / (s + 1e-12)
    thr = out['obi'].abs().quantile(0.90)
    out['obi_extreme_flag'] = (out['obi'].abs() >= thr).astype(int)
    # obi's causal replacement: the threshold from the trailing window of PAST rows only.
    thr_causal = out['obi'].abs().rolling(roll, min_periods=roll // 3).quantile(0.90).shift(1)
    out['obi_extreme_flag_causal'] = (out['obi'].abs() >= thr_causal).astype(int)
    return out


def summarize(df):
    valid = df['obi'].dropna()
    stats = {
        'samples': int(df.shape[0]),
        'obi_mean': float(valid.mean()) if not valid.empty else np.nan,
        'obi_p90_abs': float(df['obi'].abs().quantile(0.90)),
        'obi_pw_mean': float(df['obi_pw'].dropna().mean()),
        'ema_span': EMA, 'levels': LEVELS, 'interval_sec': INTERVAL,
        # obi replay reports the data's own span (there is no configured duration in a recording)
        'duration_min': (df.index[-1] - df.index[0]).total_seconds() / 60.0,
    }
    stats['corr_obi_midret'] = float(df['obi'].corr(df['mid_ret']))
    stats['corr_obi_lead_midret'] = float(df['obi'].corr(df['mid_ret_fwd']))
    return stats


def main():
    os.makedirs(OUT, exist_ok=True)
    snaps = make_snapshots()
    with open(os.path.join(OUT, 'snapshots.ndjson'), 'w') as f:
        header = {'obi_recording': 1, 'created_ms': T0, 'exchange': 'binance', 'market': 'spot',
                  'note': 'synthetic snapshots for the seed-agreement test (scripts/make-seed-fixture.py)'}
        f.write(json.dumps(header, separators=(',', ':')) + '\n')
        for s in snaps:
            line = {'t': s['t'], 'k': s['k'], 's': 'BTCUSDT', 'ts': s['ts']}
            if s['k'] == 'rest_depth':
                line['lim'] = s['lim']
                line['d'] = s['d']
            else:
                line['r'] = s['r']
            f.write(json.dumps(line, separators=(',', ':')) + '\n')
    df = add_features(collect(snaps))
    df.to_csv(os.path.join(OUT, 'expected.csv'), index=True, date_format='%Y-%m-%dT%H:%M:%S.%fZ',
              float_format='%.17g')
    with open(os.path.join(OUT, 'expected-metrics.json'), 'w') as f:
        m = summarize(df)
        json.dump({k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in m.items()}, f, indent=2)
    print('rows', len(df), 'metrics', summarize(df))


if __name__ == '__main__':
    main()
