"""The floor for benchmarks/bench_browser.py: the smallest Streamlit app with a slider and a chart.

A gesture on a studylab lab is timed against the same gesture here, in the same browser and
the same run; what this app takes is what Streamlit itself costs (websocket round trip,
script run, React and Vega-Lite redraw), so the ratio is what the labs add on top.

Run alone with: streamlit run benchmarks/floor_app.py
"""

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

frequency = st.slider("Frequency", 1, 20, 5, key="frequency")
x = np.linspace(0.0, 1.0, 200)
frame = pd.DataFrame({"x": x, "y": np.sin(2 * np.pi * frequency * x)})
st.altair_chart(alt.Chart(frame).mark_line().encode(x="x:Q", y="y:Q"), width="stretch")
