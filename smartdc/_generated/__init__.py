"""_generated"""
