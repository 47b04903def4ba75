//! mamori web
