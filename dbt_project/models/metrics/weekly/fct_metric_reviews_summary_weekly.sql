{{ config(**metric_config('reviews.summary', 'week')) }}

{{ metric_reviews_summary('week') }}
