"""Volunteer pages: phone-first for volunteers and team leaders, desk tables for staff."""
