{{ config(**metric_config('reviews.summary', 'month')) }}

{{ metric_reviews_summary('month') }}
